"""identity's unit of work on PostgreSQL: events and state tables in one transaction.

``apply_own`` brings the state tables in line with identity's own events: users' rows
through ``user_state`` (one statement per user per command), everything else through
the ``OWN_APPLIERS`` table, one line per event type. Another area that keeps rows about
an event (e.g. sign-in clearing a TOTP secret on ``UserMfaReset``) adds its function there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import asyncpg

from libs.events.catalogue import Event
from libs.events.catalogue.credentials import FacilityPasswordExpirySet
from libs.events.catalogue.identity import (
    AdminCreated,
    FacilityRegistered,
    FacilitySettingsChanged,
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
)
from libs.events.catalogue.users import (
    UserCreated,
    UserDeleted,
    UserMfaReset,
    UserPasswordReset,
)
from libs.events.envelope import Envelope
from libs.events.store import append
from libs.postgres.connection import Connection
from libs.postgres.transaction import PostgresTransaction
from services.identity.adapters import user_state
from services.identity.adapters.credentials import (
    account_versions,
    apply_credentials,
    cancel_signins,
    clear_totp,
    set_admin_second_password,
)
from services.identity.adapters.facility_settings import (
    LockedFacility,
    apply_settings_changed,
    lock_facility,
)
from services.identity.adapters.user_reads import (
    NUL,
    account_holder,
    load_user,
    load_users,
    users_of_terminal,
)
from services.identity.app.unit_of_work import Alongside, FacilityRow, RowRecord
from services.identity.domain.errors import taken
from services.identity.domain.federation import CatalogueState
from services.identity.domain.user import User


@dataclass(frozen=True)
class Facility:
    facility_id: str
    code: str
    name: str
    domain: str
    time_zone: str


class PostgresUnitOfWork(PostgresTransaction):
    """A transaction on identity's database; ``on_commit`` wakes the relay."""

    async def facility_by_code(self, code: str) -> Facility | None:
        row = await self.conn.fetchrow(
            "SELECT facility_id, code, name, domain, time_zone FROM facilities WHERE code = $1",
            code,
        )
        return Facility(**dict(row)) if row else None

    async def lock_facility(self, code: str) -> LockedFacility | None:
        """The facility's settings for a change, its row locked until commit."""
        return await lock_facility(self.conn, code)

    async def account_taken(self, account: str) -> bool:
        return bool(
            await self.conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE account_key = lower($1))", account
            )
        )

    async def append(
        self, envelopes: Sequence[Envelope], alongside: Alongside | None = None
    ) -> None:
        await append(self.conn, envelopes)
        try:
            await apply_own(self.conn, envelopes, alongside)
        except asyncpg.UniqueViolationError as error:
            # A concurrent command won the race the handler's read could not see.
            if error.constraint_name == "accounts_pkey":
                users = any(isinstance(e.data, UserCreated) for e in envelopes)
                raise taken("name" if users else "account", "account_taken") from error
            if error.constraint_name == "facilities_code_key":
                raise taken("code", "facility_code_taken") from error
            raise

    async def set_admin_password(
        self, admin_id: str, password_hash: str, *, must_change: bool
    ) -> None:
        await self.conn.execute(
            """INSERT INTO admin_credentials (admin_id, password_hash, must_change_password)
               VALUES ($1, $2, $3)
               ON CONFLICT (admin_id) DO UPDATE SET password_hash = EXCLUDED.password_hash,
                   must_change_password = EXCLUDED.must_change_password,
                   password_changed_at = now()""",
            admin_id,
            password_hash,
            must_change,
        )

    async def set_admin_second_password(self, admin_id: str, secret_hash: str) -> None:
        await set_admin_second_password(self.conn, admin_id, secret_hash)

    # -- users (SPEC U1–U7) ---------------------------------------------------------------

    async def account_kind(self, account: str) -> str | None:
        """``admin`` or ``user`` when ``account`` (any case) is taken, else None."""
        kind = await self.conn.fetchval(
            "SELECT kind FROM accounts WHERE account_key = lower($1)", account
        )
        return str(kind) if kind is not None else None

    async def is_admin_of(self, facility: FacilityRow, admin_id: str) -> bool:
        if NUL in admin_id:  # names no one (see user_reads.NUL)
            return False
        return bool(
            await self.conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM admins WHERE admin_id = $1 AND facility_id = $2)",
                admin_id,
                facility.facility_id,
            )
        )

    async def user(self, facility: FacilityRow, user_id: str) -> User | None:
        """The facility's user ``user_id``, or None (missing or another facility's)."""
        return await load_user(self.conn, facility.facility_id, facility.code, user_id)

    async def users(self, facility: FacilityRow, user_ids: Sequence[str]) -> dict[str, User]:
        return await load_users(self.conn, facility.facility_id, facility.code, user_ids)

    async def users_of_terminal(self, facility: FacilityRow, terminal_id: str) -> dict[str, User]:
        return await users_of_terminal(self.conn, facility.facility_id, facility.code, terminal_id)

    async def account_holder(
        self, facility: FacilityRow, account: str
    ) -> tuple[str | None, User | None]:
        """Who holds ``account`` (any case): (``admin``/``user``/None, the facility's user)."""
        return await account_holder(self.conn, facility.facility_id, facility.code, account)

    async def live_terminals(self, facility: FacilityRow) -> dict[str, str]:
        return await live_terminals(self.conn, facility.code)

    async def federation_catalogue(
        self, facility: FacilityRow, *, exclusive: bool = False
    ) -> CatalogueState:
        return await federation_catalogue(self.conn, facility.facility_id, exclusive=exclusive)

    async def facility_version(self, facility: FacilityRow) -> int:
        """The facility aggregate's last version, from the event log itself."""
        return (await account_versions(self.conn, facility.facility_id)).current

    async def reset_user_password(self, user_id: str, password_hash: str) -> None:
        """A new initial password (hash) the user must change at next sign-in (U4)."""
        status = await self.conn.execute(
            """UPDATE user_credentials SET password_hash = $2, must_change_password = true,
                   password_changed_at = NULL
               WHERE user_id = $1""",
            user_id,
            password_hash,
        )
        assert status == "UPDATE 1", f"no credentials row for user {user_id}"

    async def reset_user_second_password(self, user_id: str, secret_hash: str) -> None:
        """A new second password (hash): the old one fails from this commit on."""
        status = await self.conn.execute(
            "UPDATE user_credentials SET second_password_hash = $2 WHERE user_id = $1",
            user_id,
            secret_hash,
        )
        assert status == "UPDATE 1", f"no credentials row for user {user_id}"

    async def record_job_row(self, record: RowRecord) -> None:
        """An import row's sealed result, committed with the row's own changes."""
        await self.conn.execute(
            "INSERT INTO job_rows (job_id, row_no, sealed) VALUES ($1, $2, $3)",
            record.job_id,
            record.row_no,
            record.sealed,
        )


async def facility_by_id(conn: Connection, facility_id: str) -> Facility | None:
    row = await conn.fetchrow(
        "SELECT facility_id, code, name, domain, time_zone FROM facilities WHERE facility_id = $1",
        facility_id,
    )
    return Facility(**dict(row)) if row else None


async def live_terminals(conn: Connection, facility_code: str) -> dict[str, str]:
    """id → name of the facility's terminals not deleted (identity's projection)."""
    rows = await conn.fetch(
        "SELECT terminal_id, name FROM terminals WHERE facility_code = $1 AND NOT deleted",
        facility_code,
    )
    return {row["terminal_id"]: row["name"] for row in rows}


async def federation_catalogue(
    conn: Connection, facility_id: str, *, exclusive: bool = False
) -> CatalogueState:
    """The facility's 認証連携先 (T1), retired ones included.

    Inside a transaction it holds the facility's catalogue lock until the end: shared for
    a command that gives users targets, ``exclusive`` for one that changes the catalogue.
    So a user is never saved with a name a rename or a retirement committed meanwhile
    made stale. An advisory lock: a row lock would count as a write before the append.
    """
    lock = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    await conn.execute(f"SELECT {lock}(hashtextextended('federation:' || $1, 0))", facility_id)
    rows = await conn.fetch(
        "SELECT target, retired FROM facility_federation_targets WHERE facility_id = $1",
        facility_id,
    )
    return CatalogueState({row["target"]: row["retired"] for row in rows})


Applier = Callable[[Connection, Envelope], Awaitable[None]]
"""Brings state rows in line with one event, inside the command's transaction."""


async def apply_own(
    conn: Connection, envelopes: Sequence[Envelope], alongside: Alongside | None = None
) -> None:
    """Update identity's state tables from one command's own events (same transaction).

    Each user's events go to ``user_state`` together (one statement per user, with the
    rows ``alongside`` it); then every event's ``OWN_APPLIERS`` run, in order.
    """
    runs: dict[str, list[Envelope]] = {}
    for envelope in envelopes:
        if envelope.aggregate_type == "user":
            runs.setdefault(envelope.aggregate_id, []).append(envelope)
    for user_id, run in runs.items():
        with_it = alongside if alongside and alongside.user_id == user_id else None
        await user_state.apply_user(conn, run, with_it)
    for envelope in envelopes:
        for applier in OWN_APPLIERS.get(type(envelope.data), ()):
            await applier(conn, envelope)


async def _facility_registered(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, FacilityRegistered)
    await conn.execute(
        """INSERT INTO facilities (facility_id, code, name, domain, time_zone,
               download_period_months, internal_networks, version, registered_at,
               notification_addresses)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        envelope.aggregate_id,
        data.code,
        data.name,
        data.domain,
        data.time_zone,
        data.download_period_months,
        list(data.internal_networks),
        envelope.version,
        envelope.occurred_at,
        list(data.notification_addresses),
    )


async def _target_added(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, FederationTargetAdded)
    await conn.execute(
        "INSERT INTO facility_federation_targets (facility_id, target) VALUES ($1, $2)",
        envelope.aggregate_id,
        data.name,
    )


async def _target_renamed(conn: Connection, envelope: Envelope) -> None:
    """The catalogue's row, and every user of the facility who held the old name: their
    targets stay in their normal form (sorted by code point, as ``check_federation_targets``
    leaves them)."""
    data = envelope.data
    assert isinstance(data, FederationTargetRenamed)
    await conn.execute(
        """UPDATE facility_federation_targets SET target = $3
           WHERE facility_id = $1 AND target = $2""",
        envelope.aggregate_id,
        data.previous_name,
        data.name,
    )
    await conn.execute(
        """UPDATE users SET federation_targets = ARRAY(
               SELECT DISTINCT x COLLATE "C"
               FROM unnest(array_replace(federation_targets, $2, $3)) AS u (x) ORDER BY 1)
           WHERE facility_id = $1 AND federation_targets @> ARRAY[$2::text]""",
        envelope.aggregate_id,
        data.previous_name,
        data.name,
    )


async def _target_retired(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, FederationTargetRetired)
    await conn.execute(
        """UPDATE facility_federation_targets SET retired = true
           WHERE facility_id = $1 AND target = $2""",
        envelope.aggregate_id,
        data.name,
    )


async def _admin_created(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, AdminCreated)
    await conn.execute(
        "INSERT INTO accounts (account_key, owner_id, kind) VALUES (lower($1), $2, 'admin')",
        data.account,
        envelope.aggregate_id,
    )
    await conn.execute(
        """INSERT INTO admins (admin_id, facility_id, account, name, version, created_at,
               display_name, email)
           VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''), NULLIF($8, ''))""",
        envelope.aggregate_id,
        data.facility_id,
        data.account,
        data.name,
        envelope.version,
        envelope.occurred_at,
        data.display_name,
        data.email,
    )


async def _end_signins(conn: Connection, envelope: Envelope) -> None:
    """A reset password cancels the user's sign-ins in progress (sign-in's rows)."""
    await cancel_signins(conn, envelope.aggregate_id)


async def _unbind_authenticator(conn: Connection, envelope: Envelope) -> None:
    """A reset MFA or a deletion unbinds the user's authenticator (sign-in's rows)."""
    await clear_totp(conn, envelope.aggregate_id)


OWN_APPLIERS: Mapping[type[Event], tuple[Applier, ...]] = {
    FacilityRegistered: (_facility_registered,),
    FederationTargetAdded: (_target_added,),
    FederationTargetRenamed: (_target_renamed,),
    FederationTargetRetired: (_target_retired,),
    FacilitySettingsChanged: (apply_settings_changed,),
    # A settings change may set the expiry in the same transaction (credentials' row).
    FacilityPasswordExpirySet: (apply_credentials,),
    AdminCreated: (_admin_created,),
    UserPasswordReset: (_end_signins,),
    UserMfaReset: (_unbind_authenticator,),
    UserDeleted: (_unbind_authenticator,),
}
"""What each of identity's own events does besides the users' rows (``user_state``)."""
