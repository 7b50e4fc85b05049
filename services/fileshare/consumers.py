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

_FACILITY_SETTINGS = """
INSERT INTO facility_policies AS p (
    code, internal_networks, download_period_months, time_zone, notification_addresses,
    internal_networks_version, download_period_version, time_zone_version,
    notification_addresses_version)
VALUES ($1, coalesce($2::cidr[], '{}'), coalesce($3, 3), coalesce($4, 'Asia/Tokyo'),
        coalesce($5::text[], '{}'),
        CASE WHEN $2 IS NULL THEN 0 ELSE $6 END, CASE WHEN $3 IS NULL THEN 0 ELSE $6 END,
        CASE WHEN $4 IS NULL THEN 0 ELSE $6 END, CASE WHEN $5 IS NULL THEN 0 ELSE $6 END)
ON CONFLICT (code) DO UPDATE SET
    internal_networks = CASE WHEN EXCLUDED.internal_networks_version > p.internal_networks_version
                             THEN EXCLUDED.internal_networks ELSE p.internal_networks END,
    internal_networks_version = greatest(p.internal_networks_version,
                                         EXCLUDED.internal_networks_version),
    download_period_months = CASE WHEN EXCLUDED.download_period_version > p.download_period_version
                                  THEN EXCLUDED.download_period_months
                                  ELSE p.download_period_months END,
    download_period_version = greatest(p.download_period_version,
                                       EXCLUDED.download_period_version),
    time_zone = CASE WHEN EXCLUDED.time_zone_version > p.time_zone_version
                     THEN EXCLUDED.time_zone ELSE p.time_zone END,
    time_zone_version = greatest(p.time_zone_version, EXCLUDED.time_zone_version),
    notification_addresses = CASE WHEN EXCLUDED.notification_addresses_version
                                       > p.notification_addresses_version
                                  THEN EXCLUDED.notification_addresses
                                  ELSE p.notification_addresses END,
    notification_addresses_version = greatest(p.notification_addresses_version,
                                              EXCLUDED.notification_addresses_version)
"""
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
            await conn.execute(
                _FACILITY_SETTINGS,
                data.code,
                _listed(data.internal_networks),
                data.download_period_months,
                data.time_zone,
                _listed(data.notification_addresses),
                envelope.version,
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
