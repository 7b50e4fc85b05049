"""Operator commands on a facility's 認証連携先 catalogue (SPEC T1, U1; issue 15): add,
rename, retire. One event of the facility each; the users who hold a renamed target
follow in the same transaction (identity's projection, ``adapters/postgres.py``)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, Self

from libs.events.envelope import Actor, Envelope, next_event
from services.identity.app.unit_of_work import FacilityRow
from services.identity.domain import federation
from services.identity.domain.errors import facility_not_found
from services.identity.domain.federation import CatalogueState, FederationEvent


class CatalogueUnitOfWork(Protocol):
    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def facility_by_code(self, code: str) -> FacilityRow | None: ...

    async def federation_catalogue(
        self, facility: FacilityRow, *, exclusive: bool = False
    ) -> CatalogueState:
        """The catalogue, locked until commit (``exclusive``: against every user command)."""
        ...

    async def facility_version(self, facility: FacilityRow) -> int: ...

    async def append(self, envelopes: list[Envelope]) -> None: ...

    async def commit(self) -> None: ...


@dataclass(frozen=True)
class CatalogueChanged:
    event: FederationEvent
    last_event_id: str
    """Consistency token: the event this command wrote."""


Decision = Callable[[CatalogueState, str], FederationEvent]
"""The pure command: the catalogue and the facility's code → its event, or a refusal."""


async def _change(
    code: str, decide: Decision, uow: CatalogueUnitOfWork, actor: Actor
) -> CatalogueChanged:
    async with uow:
        facility = await uow.facility_by_code(code)
        if facility is None:
            raise facility_not_found()
        event = decide(await uow.federation_catalogue(facility, exclusive=True), facility.code)
        envelope = next_event(
            event,
            facility=facility.code,
            aggregate_id=facility.facility_id,
            version=await uow.facility_version(facility),
            actor=actor,
        )
        await uow.append([envelope])
        await uow.commit()
    return CatalogueChanged(event, envelope.event_id)


async def add_federation_target(
    code: str, name: str, uow: CatalogueUnitOfWork, actor: Actor
) -> CatalogueChanged:
    """Add ``name`` to facility ``code``'s catalogue; users can be given it at once."""
    return await _change(code, lambda state, c: federation.add_target(state, c, name), uow, actor)


async def rename_federation_target(
    code: str, previous: str, name: str, uow: CatalogueUnitOfWork, actor: Actor
) -> CatalogueChanged:
    """Rename a current target; the users who hold it show the new name."""
    return await _change(
        code, lambda state, c: federation.rename_target(state, c, previous, name), uow, actor
    )


async def retire_federation_target(
    code: str, name: str, uow: CatalogueUnitOfWork, actor: Actor
) -> CatalogueChanged:
    """Retire a current target: no one new gets it; users who have it keep it."""
    return await _change(
        code, lambda state, c: federation.retire_target(state, c, name), uow, actor
    )
