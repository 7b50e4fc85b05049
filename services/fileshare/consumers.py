"""fileshare's projections of other services' events."""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.identity import FacilityRegistered
from libs.events.catalogue.users import UserCreated, UserDeleted, UserProfile, UserUpdated
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection


class FacilityPolicies:
    """Each facility's internal networks (SPEC F2 院内外), download period (F7) and time zone."""

    name = "fileshare_facilities"
    events: Sequence[type[Event]] = (FacilityRegistered,)
    tables: Sequence[str] = ("facility_policies",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, FacilityRegistered):
            await conn.execute(
                """INSERT INTO facility_policies (code, internal_networks, download_period_months,
                                                 time_zone)
                   VALUES ($1, $2::cidr[], $3, $4)
                   ON CONFLICT (code) DO UPDATE
                   SET internal_networks = EXCLUDED.internal_networks,
                       download_period_months = EXCLUDED.download_period_months,
                       time_zone = EXCLUDED.time_zone""",
                data.code,
                list(data.internal_networks),
                data.download_period_months,
                data.time_zone,
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


PROJECTIONS = (FacilityPolicies(), ShareUsers())
