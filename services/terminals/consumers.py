"""terminals' projections of other services' events."""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.identity import (
    AdminCreated,
    FacilityRegistered,
    FacilitySettingsChanged,
)
from libs.events.catalogue.users import (
    TerminalAssigned,
    TerminalUnassigned,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from libs.postgres.versioned_rows import Versioned, VersionedRows
from services.terminals.domain.decision import clock_minutes, normalize_mac

_FACILITIES = VersionedRows(
    "facilities",
    ["facility_id", "code"],
    [Versioned("name", "''"), Versioned("time_zone", "'Asia/Tokyo'")],
)
"""A facility's registration or settings change: each setting the event carries (None:
unchanged) replaces the row's only if the event is newer than what the row reflects."""


class Directory:
    """Facilities and accounts as terminals needs them for connection decisions (SPEC C1).

    Admins are kept so that an admin's connection attempt is refused as an admin's
    (reason ``admin_account``), not as an unknown account.
    """

    name = "terminals_directory"
    events: Sequence[type[Event]] = (FacilityRegistered, FacilitySettingsChanged, AdminCreated)
    tables: Sequence[str] = ("facilities", "accounts")

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, FacilityRegistered | FacilitySettingsChanged):
            # The time zone decides validity days and allowed hours (T1, C1): from the
            # next decision on, in the zone the facility has now.
            await _FACILITIES.write(
                conn, envelope.version, envelope.aggregate_id, data.code, data.name, data.time_zone
            )
        elif isinstance(data, AdminCreated):
            await conn.execute(
                """INSERT INTO accounts (account_id, facility_code, account_key, is_admin)
                   VALUES ($1, $2, lower($3), true)
                   ON CONFLICT (account_id) DO UPDATE SET account_key = EXCLUDED.account_key""",
                envelope.aggregate_id,
                envelope.facility,
                data.account,
            )


class AccessProfiles:
    """Users' access profiles and terminal assignments (SPEC C1, K1's user counts).

    Tolerates any arrival order: each row keeps the user aggregate's version it reflects
    and an older event never overwrites a newer one; a deletion is a tombstone that later
    events of the same user cannot lift; an assignment needs no user row to be recorded.
    """

    name = "terminals_access"
    events: Sequence[type[Event]] = (
        UserCreated,
        UserUpdated,
        UserDeleted,
        TerminalAssigned,
        TerminalUnassigned,
    )
    tables: Sequence[str] = ("access_users", "access_assignments")

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, UserCreated | UserUpdated):
            profile = data.profile
            macs = sorted({mac for raw in profile.macs if (mac := normalize_mac(raw))})
            hours = profile.hours
            await conn.execute(
                """INSERT INTO access_users (user_id, facility, account, account_key,
                       profile_version, family_name, given_name, email, valid_from,
                       valid_until, macs, hours_start, hours_end)
                   VALUES ($1, $2, $3, lower($3), $4, $5, $6, $7, $8, $9, $10, $11, $12)
                   ON CONFLICT (user_id) DO UPDATE SET
                       facility = EXCLUDED.facility, account = EXCLUDED.account,
                       account_key = EXCLUDED.account_key,
                       profile_version = EXCLUDED.profile_version,
                       family_name = EXCLUDED.family_name, given_name = EXCLUDED.given_name,
                       email = EXCLUDED.email, valid_from = EXCLUDED.valid_from,
                       valid_until = EXCLUDED.valid_until, macs = EXCLUDED.macs,
                       hours_start = EXCLUDED.hours_start, hours_end = EXCLUDED.hours_end
                   WHERE access_users.profile_version IS NULL
                      OR access_users.profile_version < EXCLUDED.profile_version""",
                envelope.aggregate_id,
                envelope.facility,
                data.account,
                envelope.version,
                profile.family_name,
                profile.given_name,
                profile.email,
                profile.valid_from,
                profile.valid_until,
                macs,
                clock_minutes(hours.start) if hours else None,
                clock_minutes(hours.end) if hours else None,
            )
        elif isinstance(data, UserDeleted):
            await conn.execute(
                """INSERT INTO access_users (user_id, facility, account, account_key, deleted)
                   VALUES ($1, $2, $3, lower($3), true)
                   ON CONFLICT (user_id) DO UPDATE SET deleted = true""",
                envelope.aggregate_id,
                envelope.facility,
                data.account,
            )
        elif isinstance(data, TerminalAssigned | TerminalUnassigned):
            await conn.execute(
                """INSERT INTO access_assignments (user_id, terminal_id, facility, assigned, version)
                   VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (user_id, terminal_id) DO UPDATE
                   SET assigned = EXCLUDED.assigned, version = EXCLUDED.version
                   WHERE access_assignments.version < EXCLUDED.version""",
                envelope.aggregate_id,
                data.terminal_id,
                envelope.facility,
                isinstance(data, TerminalAssigned),
                envelope.version,
            )


PROJECTIONS = (Directory(), AccessProfiles())
