"""Operators change a facility's settings (SPEC T1, L1; issue 15): name, time zone,
download period, internal networks, notification addresses and password expiry. Each
change is events of the facility; every service that reads a setting follows them."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, Self

import msgspec

from libs.events.catalogue.identity import FacilitySettingsChanged
from libs.events.envelope import Actor, Envelope, next_events
from services.identity.domain.errors import facility_not_found
from services.identity.domain.facility import (
    ChangeFacilitySettings,
    FacilitySettings,
    change_settings,
)


@dataclass(frozen=True)
class LockedFacility:
    """A facility's settings and its aggregate's current version, its row locked."""

    facility_id: str
    version: int
    settings: FacilitySettings


class SettingsUnitOfWork(Protocol):
    """One transaction: the facility's row locked, then its events; commit or not."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def lock_facility(self, code: str) -> LockedFacility | None: ...

    async def append(self, envelopes: Sequence[Envelope]) -> None: ...

    async def commit(self) -> None: ...


@dataclass(frozen=True)
class SettingsChanged:
    facility_id: str
    changed: tuple[str, ...]
    """The settings that changed, by field name (``password_max_age_days`` for expiry)."""
    last_event_id: str
    """Consistency token: the last event this command wrote."""


async def change_facility_settings(
    cmd: ChangeFacilitySettings, uow: SettingsUnitOfWork, actor: Actor
) -> SettingsChanged:
    """Append the events of a valid change of facility ``cmd.code``'s settings.

    The facility's row stays locked until the commit, so two operators changing it at
    once are served one after the other, the second seeing the first's values.
    """
    async with uow:
        facility = await uow.lock_facility(cmd.code)
        if facility is None:
            raise facility_not_found()
        events = change_settings(facility.settings, cmd)
        envelopes = next_events(
            events,
            facility=cmd.code,
            aggregate_id=facility.facility_id,
            version=facility.version,
            actor=actor,
        )
        await uow.append(envelopes)
        await uow.commit()
    changed = tuple(
        name
        for data in events
        for name in (
            [
                n
                for n, v in msgspec.structs.asdict(data).items()
                if v is not None and n not in ("code", "previous")
            ]
            if isinstance(data, FacilitySettingsChanged)
            else ["password_max_age_days"]
        )
    )
    return SettingsChanged(facility.facility_id, changed, envelopes[-1].event_id)
