"""The 認証連携先 catalogue's routes (SPEC T1, U1; issue 15): its admins and operators
read it (the user form offers it); operators add, rename and retire targets."""

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from libs.events.catalogue.identity import FederationTargetRenamed, FederationTargetRetired
from libs.runtime.internal_auth import Caller
from services.identity.adapters.postgres import federation_catalogue
from services.identity.api.guards import facility_admins, operators_only
from services.identity.api.provided import CatalogueWork, Db, InFacility
from services.identity.app.federation import (
    CatalogueChanged,
    add_federation_target,
    rename_federation_target,
    retire_federation_target,
)
from services.identity.contract import FederationTarget, FederationTargetList
from services.identity.contract.paths import FEDERATION_TARGETS_PATH, OPERATOR_FACILITIES_PATH
from services.identity.domain.federation import CatalogueState

_NAME = msgspec.Meta(max_length=1000)
"""The payload's bound only; the rule (1–64 printable characters, no comma) is the domain's."""


class TargetIn(msgspec.Struct, frozen=True, kw_only=True):
    name: Annotated[str, _NAME]


class TargetRenameIn(msgspec.Struct, frozen=True, kw_only=True):
    previous_name: Annotated[str, _NAME]
    """The target's current name, exactly."""
    name: Annotated[str, _NAME]


class TargetChangedOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: str
    """The facility's code."""
    name: str
    previous_name: str | None = None
    """Only for a rename."""
    retired: bool
    consistency_token: str


def listed(state: CatalogueState) -> FederationTargetList:
    """Every target by name (code point order, as users' targets are kept)."""
    return FederationTargetList(
        items=[
            FederationTarget(name=name, retired=retired)
            for name, retired in sorted(state.targets.items())
        ]
    )


def _out(done: CatalogueChanged) -> TargetChangedOut:
    event = done.event
    return TargetChangedOut(
        code=event.code,
        name=event.name,
        previous_name=(event.previous_name if isinstance(event, FederationTargetRenamed) else None),
        retired=isinstance(event, FederationTargetRetired),
        consistency_token=done.last_event_id,
    )


class FederationTargetsController(Controller):
    """The catalogue as its facility's admins and operators read it (the user form offers it)."""

    path = FEDERATION_TARGETS_PATH
    guards = (facility_admins,)

    @get(operation_id="listFederationTargets")
    async def list_targets(self, facility: InFacility, db: Db) -> FederationTargetList:
        async with db.acquire() as conn:
            return listed(await federation_catalogue(conn, facility.facility_id))


class OperatorFederationController(Controller):
    """Operators add, rename and retire a facility's targets."""

    path = f"{OPERATOR_FACILITIES_PATH}/{{code:str}}/federation-targets"
    guards = (operators_only,)

    @post(operation_id="addFederationTarget", status_code=201)
    async def add(
        self,
        code: FromPath[str],
        data: JSONBody[TargetIn],
        claims: Caller,
        uow: CatalogueWork,
    ) -> TargetChangedOut:
        return _out(await add_federation_target(code, data.name, uow, claims.actor))

    @post("/rename", operation_id="renameFederationTarget", status_code=200)
    async def rename(
        self,
        code: FromPath[str],
        data: JSONBody[TargetRenameIn],
        claims: Caller,
        uow: CatalogueWork,
    ) -> TargetChangedOut:
        done = await rename_federation_target(
            code, data.previous_name, data.name, uow, claims.actor
        )
        return _out(done)

    @post("/retire", operation_id="retireFederationTarget", status_code=200)
    async def retire(
        self,
        code: FromPath[str],
        data: JSONBody[TargetIn],
        claims: Caller,
        uow: CatalogueWork,
    ) -> TargetChangedOut:
        return _out(await retire_federation_target(code, data.name, uow, claims.actor))
