"""The 認証連携先 catalogue's routes (SPEC T1, U1; issue 15): its admins and operators
read it (the user form offers it); operators add, rename and retire targets."""

from typing import Annotated

import msgspec
from litestar import get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from libs.events.catalogue.identity import FederationTargetRenamed, FederationTargetRetired
from libs.runtime.backbone import Backbone
from libs.runtime.internal_auth import Caller, require_role
from services.identity.adapters.postgres import PostgresUnitOfWork, federation_catalogue
from services.identity.api.facility_scope import FacilityScope
from services.identity.app.federation import (
    CatalogueChanged,
    add_federation_target,
    rename_federation_target,
    retire_federation_target,
)
from services.identity.contract import FederationTarget, FederationTargetList
from services.identity.contract.paths import FEDERATION_TARGETS_PATH
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


def federation_routes(backbone: Backbone) -> list[HTTPRouteHandler]:
    """Read the catalogue (admins of the facility, operators); change it (operators)."""
    scope = FacilityScope(backbone)
    operator_base = "/internal/v1/operator/facilities/{code:str}/federation-targets"

    def uow() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(backbone.pool, backbone.committed)

    @get(
        FEDERATION_TARGETS_PATH,
        operation_id="listFederationTargets",
    )
    async def list_targets(code: FromPath[str], claims: Caller) -> FederationTargetList:
        facility = await scope(claims, code)
        async with backbone.pool.acquire() as conn:
            return listed(await federation_catalogue(conn, facility.facility_id))

    @post(operator_base, operation_id="addFederationTarget", status_code=201)
    async def add(
        code: FromPath[str], data: JSONBody[TargetIn], claims: Caller
    ) -> TargetChangedOut:
        require_role(claims, "operator")
        return _out(await add_federation_target(code, data.name, uow(), claims.actor))

    @post(f"{operator_base}/rename", operation_id="renameFederationTarget", status_code=200)
    async def rename(
        code: FromPath[str], data: JSONBody[TargetRenameIn], claims: Caller
    ) -> TargetChangedOut:
        require_role(claims, "operator")
        done = await rename_federation_target(
            code, data.previous_name, data.name, uow(), claims.actor
        )
        return _out(done)

    @post(f"{operator_base}/retire", operation_id="retireFederationTarget", status_code=200)
    async def retire(
        code: FromPath[str], data: JSONBody[TargetIn], claims: Caller
    ) -> TargetChangedOut:
        require_role(claims, "operator")
        return _out(await retire_federation_target(code, data.name, uow(), claims.actor))

    return [list_targets, add, rename, retire]
