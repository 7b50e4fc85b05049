"""fileshare's projections of other services' events."""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.identity import (
    AdminCreated,
    AdminDisabled,
    AdminEnabled,
    FacilityRegistered,
    FacilitySettingsChanged,
)
from libs.events.catalogue.users import UserCreated, UserDeleted, UserProfile, UserUpdated
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from libs.postgres.versioned_rows import Versioned, VersionedRows

_POLICIES = VersionedRows(
    "facility_policies",
    ["code"],
    [
        Versioned("internal_networks", "'{}'", cast="::cidr[]"),
        Versioned("download_period_months", "3", version="download_period_version"),
        Versioned("time_zone", "'Asia/Tokyo'"),
        Versioned("notification_addresses", "'{}'", cast="::text[]"),
    ],
)
"""A facility's registration or settings change: each setting the event carries (None:
unchanged) replaces the row's only when the event is newer than what the row reflects.
An empty list is a value (e.g. no internal networks any more), unlike None."""


class FacilityPolicies:
    """Each facility's internal networks (SPEC F2 院内外), download period (F7), time zone and
    notification addresses (F6), as registered and then changed (T1)."""

    name = "fileshare_facilities"
    events: Sequence[type[Event]] = (FacilityRegistered, FacilitySettingsChanged)
    tables: Sequence[str] = ("facility_policies",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, FacilityRegistered | FacilitySettingsChanged):
            await _POLICIES.write(
                conn,
                envelope.version,
                data.code,
                _listed(data.internal_networks),
                data.download_period_months,
                data.time_zone,
                _listed(data.notification_addresses),
            )


def _listed(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)


_ADMIN = """
INSERT INTO facility_admins AS a (admin_id, facility, account, email, enabled, enabled_version)
VALUES ($1, $2, $3, coalesce($4, ''), $5, $6)
ON CONFLICT (admin_id) DO UPDATE SET
    facility = EXCLUDED.facility,
    account = EXCLUDED.account,
    email = coalesce($4, a.email),
    enabled = CASE WHEN EXCLUDED.enabled_version > a.enabled_version
                   THEN EXCLUDED.enabled ELSE a.enabled END,
    enabled_version = greatest(a.enabled_version, EXCLUDED.enabled_version)
"""
"""An admin created, disabled or enabled: the address comes only with AdminCreated (None
keeps it), and ``enabled`` only from an event newer than the one the row reflects."""


class FacilityAdmins:
    """Each facility's admins with their own addresses and whether they are enabled: the
    people a user's share is mailed to besides the facility's addresses (SPEC F6)."""

    name = "fileshare_admins"
    events: Sequence[type[Event]] = (AdminCreated, AdminDisabled, AdminEnabled)
    tables: Sequence[str] = ("facility_admins",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, AdminCreated | AdminDisabled | AdminEnabled):
            # The envelope carries the facility's code (AdminCreated only its aggregate id).
            await conn.execute(
                _ADMIN,
                envelope.aggregate_id,
                envelope.facility,
                data.account,
                data.email if isinstance(data, AdminCreated) else None,
                not isinstance(data, AdminDisabled),
                envelope.version,
            )


def display_name(profile: UserProfile) -> str:
    """ユーザー名 as the UI shows it: ``姓 名`` (SPEC U1)."""
    return f"{profile.family_name} {profile.given_name}".strip()


class ShareUsers:
    """Users as file sharing needs them: ファイル共有権限 (F4), ユーザー名, email (F6)."""

    name = "fileshare_users"
    events: Sequence[type[Event]] = (UserCreated, UserUpdated, UserDeleted)
    tables: Sequence[str] = ("share_users",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, UserCreated | UserUpdated):
            await conn.execute(
                """INSERT INTO share_users (user_id, facility, account, name, email, file_share)
                   VALUES ($1, $2, $3, $4, $5, $6)
                   ON CONFLICT (user_id) DO UPDATE
                   SET account = EXCLUDED.account, name = EXCLUDED.name,
                       email = EXCLUDED.email, file_share = EXCLUDED.file_share""",
                envelope.aggregate_id,
                envelope.facility,
                data.account,
                display_name(data.profile),
                data.profile.email,
                data.profile.file_share,
            )
        elif isinstance(data, UserDeleted):
            # An upsert that only ever sets the flag: replaying the user's events in any
            # order never brings a deleted user back (UserCreated/Updated leave it alone).
            await conn.execute(
                """INSERT INTO share_users (user_id, facility, account, name, email, file_share,
                                            deleted)
                   VALUES ($1, $2, $3, '', '', 'deny', true)
                   ON CONFLICT (user_id) DO UPDATE SET deleted = true""",
                envelope.aggregate_id,
                envelope.facility,
                data.account,
            )


PROJECTIONS = (FacilityPolicies(), FacilityAdmins(), ShareUsers())
