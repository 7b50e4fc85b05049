"""identity's unit of work on PostgreSQL: events and state tables in one transaction.

The append comes first (decision 0001); ``own_events.apply_own`` then brings the state
tables in line with the command's events, whichever area appended them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from libs.events.catalogue.users import UserCreated
from libs.events.envelope import Envelope
from libs.events.store import append
from libs.postgres.connection import Connection
from services.identity.adapters.credentials import CredentialRows, account_versions
from services.identity.adapters.facility_settings import lock_facility
from services.identity.adapters.jobs import job_rows
from services.identity.adapters.own_events import apply_own
from services.identity.adapters.recovery import RecoveryRows
from services.identity.adapters.signin_rows import SignInRows
from services.identity.adapters.user_reads import (
    NUL,
    account_holder,
    account_kinds,
    load_user,
    load_users,
    users_by_account,
    users_of_terminal,
)
from services.identity.app.facility_settings import LockedFacility
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


class PostgresUnitOfWork(CredentialRows, SignInRows, RecoveryRows):
    """A transaction on identity's database; ``on_commit`` wakes the relay.

    identity's one unit of work: every port of ``app/`` (users, facilities, credentials,
    sign-in, recovery) is implemented by it, each concern's rows in its own mixin
    (``CredentialRows``, ``SignInRows``, ``RecoveryRows``), all on one transaction.
    """

    async def facility_by_code(self, code: str) -> Facility | None:
        return await facility_by_code(self.conn, code)

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

    async def deleted_terminal_assignments(self, limit: int) -> list[tuple[str, str, list[str]]]:
        """Up to ``limit`` users still assigned to a terminal the terminals service deleted
        (identity's projection keeps it as a tombstone): (facility code, user id, ids)."""
        rows = await self.conn.fetch(
            """SELECT f.code, ut.user_id, array_agg(ut.terminal_id) AS terminal_ids
               FROM terminals t
               JOIN user_terminals ut ON ut.terminal_id = t.terminal_id
               JOIN users u ON u.user_id = ut.user_id
               JOIN facilities f ON f.facility_id = u.facility_id
               WHERE t.deleted
               GROUP BY f.code, ut.user_id
               LIMIT $1""",
            limit,
        )
        return [(row["code"], row["user_id"], list(row["terminal_ids"])) for row in rows]

    async def job_rows(self, job_id: str) -> dict[int, bytes]:
        return await job_rows(self.conn, job_id)

    async def users_by_account(
        self, facility: FacilityRow, account_keys: Sequence[str]
    ) -> dict[str, User]:
        return await users_by_account(self.conn, facility.facility_id, facility.code, account_keys)

    async def account_kinds(self, account_keys: Sequence[str]) -> dict[str, str]:
        return await account_kinds(self.conn, account_keys)

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


async def facility_by_code(conn: Connection, code: str) -> Facility | None:
    row = await conn.fetchrow(
        "SELECT facility_id, code, name, domain, time_zone FROM facilities WHERE code = $1",
        code,
    )
    return Facility(**dict(row)) if row else None


async def facility_exists(conn: Connection, code: str) -> bool:
    """True when facility ``code`` exists; False too on a database not yet migrated."""
    if not await conn.fetchval("SELECT to_regclass('public.facilities') IS NOT NULL"):
        return False
    return bool(
        await conn.fetchval("SELECT EXISTS (SELECT 1 FROM facilities WHERE code = $1)", code)
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
