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


class FacilityPolicies:
    """Each facility's internal networks (SPEC F2 院内外), download period (F7), time zone and
    notification addresses (F6), as registered and then changed (T1)."""

    name = "fileshare_facilities"
    events: Sequence[type[Event]] = (FacilityRegistered, FacilitySettingsChanged)
    tables: Sequence[str] = ("facility_policies",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, FacilityRegistered):
            await conn.execute(
                """INSERT INTO facility_policies (code, internal_networks, download_period_months,
                                                 time_zone, notification_addresses)
                   VALUES ($1, $2::cidr[], $3, $4, $5)
                   ON CONFLICT (code) DO UPDATE
                   SET internal_networks = EXCLUDED.internal_networks,
                       download_period_months = EXCLUDED.download_period_months,
                       time_zone = EXCLUDED.time_zone,
                       notification_addresses = EXCLUDED.notification_addresses""",
                data.code,
                list(data.internal_networks),
                data.download_period_months,
                data.time_zone,
                list(data.notification_addresses),
            )
        elif isinstance(data, FacilitySettingsChanged):
            await _change_settings(conn, data)


def _listed(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)


async def _change_settings(conn: Connection, data: FacilitySettingsChanged) -> None:
    # None means "unchanged": NULL keeps the column through coalesce, while an empty list
    # (e.g. no internal networks any more) is a value and replaces the old one.
    await conn.execute(
        """UPDATE facility_policies
           SET internal_networks = coalesce($2::cidr[], internal_networks),
               download_period_months = coalesce($3, download_period_months),
               time_zone = coalesce($4, time_zone),
               notification_addresses = coalesce($5::text[], notification_addresses)
           WHERE code = $1""",
        data.code,
        _listed(data.internal_networks),
        data.download_period_months,
        data.time_zone,
        _listed(data.notification_addresses),
    )


class FacilityAdmins:
    """Each facility's admins with their own addresses and whether they are enabled: the
    people a user's share is mailed to besides the facility's addresses (SPEC F6)."""

    name = "fileshare_admins"
    events: Sequence[type[Event]] = (AdminCreated, AdminDisabled, AdminEnabled)
    tables: Sequence[str] = ("facility_admins",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, AdminCreated):
            # The envelope carries the facility's code (the event only its aggregate id).
            await conn.execute(
                """INSERT INTO facility_admins (admin_id, facility, account, email)
                   VALUES ($1, $2, $3, $4)
                   ON CONFLICT (admin_id) DO UPDATE
                   SET facility = EXCLUDED.facility, account = EXCLUDED.account,
                       email = EXCLUDED.email""",
                envelope.aggregate_id,
                envelope.facility,
                data.account,
                data.email,
            )
        elif isinstance(data, AdminDisabled | AdminEnabled):
            # One stream, one consumer: an admin's events arrive in their order, after its
            # AdminCreated, so a plain update is enough.
            await conn.execute(
                "UPDATE facility_admins SET enabled = $2 WHERE admin_id = $1",
                envelope.aggregate_id,
                isinstance(data, AdminEnabled),
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
