"""identity's credential store on PostgreSQL: passwords, authenticators, lockout, sign-ins.

``CredentialStore`` is the unit of work of sign-in and of credential commands: one
transaction that appends its events first (``store.append``, decision 0001) and then
writes the rows they describe. Tables: ``admin_credentials`` (0001, plus the second
password), ``user_credentials`` (0002, the users area's), and this area's own
``totp_credentials``, ``signin_failures`` and ``signin_transactions`` (0003).

For the users area: when an admin resets a user's MFA (``UserMfaReset``), call
``clear_totp(conn, user_id)`` in the same transaction; after ``UserPasswordReset`` call
``cancel_signins(conn, user_id)``. Sign-in does not depend on it: an authenticator enrolled
before a later reset event of its account counts as unbound, and a sign-in begun before a
reset is refused, whoever deletes the rows (``account_versions``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from libs.events.catalogue.credentials import (
    AdminMfaEnrolled,
    AdminMfaReset,
    AdminPasswordChanged,
    AdminPasswordRecovered,
    AdminPasswordReset,
    AdminSecondPasswordReset,
    FacilityPasswordExpirySet,
    UserMfaEnrolled,
    UserPasswordChanged,
    UserPasswordRecovered,
)
from libs.events.catalogue.identity import AdminDisabled, AdminEnabled
from libs.events.catalogue.signin import SignInApp
from libs.events.envelope import Envelope
from libs.events.store import append
from libs.postgres.connection import Connection
from services.identity.adapters import user_state
from services.identity.domain.signin import (
    FAILURE_MEMORY,
    AccountKind,
    Failures,
    Lockout,
    NextStep,
)

PASSWORD_RESETS = ("AdminPasswordReset.v1", "UserPasswordReset.v1")
MFA_RESETS = ("AdminMfaReset.v1", "UserMfaReset.v1")


def pair_key(account_key: str, ip: str | None) -> str:
    """The ``signin_failures`` key of an account's failures from one address; the account's
    own key holds those from everywhere (docs/decisions/0031)."""
    return f"{account_key} @{ip if ip is not None else '-'}"


# Advisory lock class of sign-in: all steps on one account run one at a time, so two
# concurrent failures cannot both read "4" and miss the lock. (Not SELECT FOR UPDATE: it
# takes a transaction id before the append, which decision 0001 forbids.)
_LOCK_CLASS = 0x5167


@dataclass(frozen=True)
class Account:
    """What sign-in needs of an admin or a user, with its credentials and facility."""

    account_id: str
    kind: AccountKind
    account: str
    facility_id: str
    facility_code: str
    time_zone: str
    password_hash: str | None
    second_password_hash: str | None
    must_change_password: bool
    password_changed_at: datetime | None
    password_max_age_days: int | None
    valid_from: date | None = None
    valid_until: date | None = None
    disabled: bool = False
    """An admin an operator disabled (issue 15): it cannot sign in. Users: never."""

    @property
    def name(self) -> str:
        """The name part of ``<code>-<name>@<domain>`` (SPEC T2)."""
        local = self.account.rpartition("@")[0]
        return local.split("-", 1)[1] if "-" in local else local

    @property
    def key(self) -> str:
        return self.account.lower()


@dataclass(frozen=True)
class Totp:
    secret_sealed: bytes
    enrolled_version: int
    last_step: int


@dataclass(frozen=True)
class Versions:
    """An account aggregate's current version and those of its latest resets (0: none)."""

    current: int
    password_reset: int
    mfa_reset: int

    @property
    def any_reset(self) -> int:
        return max(self.password_reset, self.mfa_reset)


@dataclass(frozen=True)
class SignIn:
    """A sign-in transaction: one account, the next step it must pass, until when."""

    handle_hash: bytes
    signin_ref: str
    account_id: str
    account_kind: AccountKind
    app: SignInApp
    next_step: NextStep
    base_version: int
    password_reason: str | None
    pending_totp_sealed: bytes | None
    created_at: datetime
    expires_at: datetime


_ADMIN = """
SELECT ad.admin_id AS account_id, 'admin' AS kind, ad.account, f.facility_id,
       f.code AS facility_code, f.time_zone, c.password_hash, c.second_password_hash,
       coalesce(c.must_change_password, true) AS must_change_password,
       c.password_changed_at, f.password_max_age_days, ad.disabled
FROM admins ad
JOIN facilities f ON f.facility_id = ad.facility_id
LEFT JOIN admin_credentials c ON c.admin_id = ad.admin_id
WHERE ad.admin_id = $1
"""

_USER = """
SELECT u.user_id AS account_id, 'user' AS kind, u.account, f.facility_id,
       f.code AS facility_code, f.time_zone, c.password_hash, c.second_password_hash,
       coalesce(c.must_change_password, true) AS must_change_password,
       c.password_changed_at, f.password_max_age_days, u.valid_from, u.valid_until
FROM users u
JOIN facilities f ON f.facility_id = u.facility_id
LEFT JOIN user_credentials c ON c.user_id = u.user_id
WHERE u.user_id = $1
"""


async def find_account(conn: Connection, account_key: str) -> Account | None:
    """The admin or user whose account is ``account_key`` (lower case), or None."""
    row = await conn.fetchrow(
        "SELECT owner_id, kind FROM accounts WHERE account_key = $1", account_key
    )
    if row is None:
        return None
    return await account_by_id(conn, row["owner_id"], row["kind"])


async def account_by_id(conn: Connection, account_id: str, kind: AccountKind) -> Account | None:
    row = await conn.fetchrow(_ADMIN if kind == "admin" else _USER, account_id)
    return Account(**dict(row)) if row else None


async def account_versions(conn: Connection, account_id: str) -> Versions:
    """Read from the event log itself, so they hold whoever keeps the state tables."""
    row = await conn.fetchrow(
        """SELECT coalesce(max(version), 0) AS current,
                  coalesce(max(version) FILTER (WHERE type = ANY($2::text[])), 0) AS password,
                  coalesce(max(version) FILTER (WHERE type = ANY($3::text[])), 0) AS mfa
           FROM events WHERE aggregate_id = $1""",
        account_id,
        list(PASSWORD_RESETS),
        list(MFA_RESETS),
    )
    assert row is not None
    return Versions(row["current"], row["password"], row["mfa"])


async def clear_totp(conn: Connection, subject_id: str) -> None:
    """Unbind the authenticator of an admin or user and end its sign-ins in progress."""
    await conn.execute("DELETE FROM totp_credentials WHERE account_id = $1", subject_id)
    await cancel_signins(conn, subject_id)


async def cancel_signins(conn: Connection, subject_id: str) -> None:
    """End the sign-ins in progress of an admin or user (after a reset)."""
    await conn.execute("DELETE FROM signin_transactions WHERE account_id = $1", subject_id)


async def set_admin_second_password(conn: Connection, admin_id: str, secret_hash: str) -> None:
    """Store an admin's second password hash (its credentials row must exist)."""
    status = await conn.execute(
        "UPDATE admin_credentials SET second_password_hash = $2 WHERE admin_id = $1",
        admin_id,
        secret_hash,
    )
    assert status == "UPDATE 1", f"no credentials row for admin {admin_id}"


async def apply_credentials(conn: Connection, envelope: Envelope) -> None:
    """Bring state rows in line with one credential event (same transaction).

    The aggregate's version column follows the event, or the next command of the area
    that owns the row would append with a stale version and be refused.
    """
    data = envelope.data
    if isinstance(
        data,
        AdminPasswordChanged
        | AdminPasswordRecovered
        | AdminMfaEnrolled
        | AdminPasswordReset
        | AdminMfaReset
        | AdminSecondPasswordReset,
    ):
        await conn.execute(
            "UPDATE admins SET version = $2 WHERE admin_id = $1",
            envelope.aggregate_id,
            envelope.version,
        )
        if isinstance(data, AdminMfaReset):
            await clear_totp(conn, envelope.aggregate_id)
    elif isinstance(data, AdminDisabled | AdminEnabled):
        await conn.execute(
            "UPDATE admins SET version = $2, disabled = $3 WHERE admin_id = $1",
            envelope.aggregate_id,
            envelope.version,
            isinstance(data, AdminDisabled),
        )
        if isinstance(data, AdminDisabled):
            # A sign-in past its password step must not finish either.
            await cancel_signins(conn, envelope.aggregate_id)
    elif isinstance(data, UserPasswordChanged | UserPasswordRecovered | UserMfaEnrolled):
        await user_state.version_only(conn, envelope)
    elif isinstance(data, FacilityPasswordExpirySet):
        await conn.execute(
            """UPDATE facilities SET version = $2, password_max_age_days = $3
               WHERE facility_id = $1""",
            envelope.aggregate_id,
            envelope.version,
            data.max_age_days,
        )


class CredentialStore:
    """A transaction on identity's database for credential work; ``on_commit`` wakes the relay."""

    def __init__(self, pool: asyncpg.Pool, on_commit: Callable[[], None]) -> None:
        self._pool = pool
        self._on_commit = on_commit
        self._conn: PoolConnectionProxy[asyncpg.Record] | None = None
        self._tx: asyncpg.transaction.Transaction | None = None
        self._appended = False
        self._committed = False

    @property
    def conn(self) -> PoolConnectionProxy[asyncpg.Record]:
        assert self._conn is not None, "use the store in `async with`"
        return self._conn

    async def __aenter__(self) -> Self:
        self._conn = await self._pool.acquire()
        self._tx = self._conn.transaction()
        await self._tx.start()
        self._appended = self._committed = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None and self._tx is not None
        try:
            if not self._committed:
                await self._tx.rollback()
        finally:
            await self._pool.release(self._conn)
            self._conn = None
        if self._committed and self._appended:
            self._on_commit()

    async def commit(self) -> None:
        assert self._tx is not None
        await self._tx.commit()
        self._committed = True

    async def lock(self, account_key: str) -> None:
        """Serialise sign-in work on one account (typed or known) until the transaction ends."""
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))", _LOCK_CLASS, account_key
        )

    async def append(self, envelopes: Sequence[Envelope]) -> None:
        """Append the events (the transaction's first write), then apply them to the rows."""
        await append(self.conn, envelopes)
        self._appended = True
        for envelope in envelopes:
            await apply_credentials(self.conn, envelope)

    # -- reads ---------------------------------------------------------------------------

    async def find_account(self, account_key: str) -> Account | None:
        return await find_account(self.conn, account_key)

    async def account_by_id(self, account_id: str, kind: AccountKind) -> Account | None:
        return await account_by_id(self.conn, account_id, kind)

    async def admin_by_account(self, account_key: str) -> Account | None:
        found = await find_account(self.conn, account_key)
        return found if found is not None and found.kind == "admin" else None

    async def facility_named_by(self, account_key: str) -> str | None:
        """The code of the facility whose code and domain ``<code>-<name>@<domain>`` names."""
        local, _, domain = account_key.rpartition("@")
        code, dash, name = local.partition("-")
        if not (dash and name and len(code) == 3 and code.isdigit()):
            return None
        found: str | None = await self.conn.fetchval(
            "SELECT code FROM facilities WHERE code = $1 AND lower(domain) = $2", code, domain
        )
        return found

    async def versions(self, account_id: str) -> Versions:
        return await account_versions(self.conn, account_id)

    async def failures(self, account_key: str, ip: str | None) -> Lockout:
        """The account's failures from ``ip`` and from everywhere (docs/decisions/0031)."""
        here = pair_key(account_key, ip)
        rows = await self.conn.fetch(
            """SELECT account_key, failures, locked_until, last_failure_at FROM signin_failures
               WHERE account_key = ANY($1::text[])""",
            [account_key, here],
        )
        found = {
            row["account_key"]: Failures(
                row["failures"], row["locked_until"], row["last_failure_at"]
            )
            for row in rows
        }
        return Lockout(
            here=found.get(here, Failures()), everywhere=found.get(account_key, Failures())
        )

    async def totp(self, account_id: str) -> Totp | None:
        row = await self.conn.fetchrow(
            """SELECT secret_sealed, enrolled_version, last_step FROM totp_credentials
               WHERE account_id = $1""",
            account_id,
        )
        return (
            Totp(bytes(row["secret_sealed"]), row["enrolled_version"], row["last_step"])
            if row
            else None
        )

    async def signin(self, handle_hash: bytes) -> SignIn | None:
        row = await self.conn.fetchrow(
            """SELECT handle_hash, signin_ref, account_id, account_kind, app, next_step,
                      base_version, password_reason, pending_totp_sealed, created_at, expires_at
               FROM signin_transactions WHERE handle_hash = $1""",
            handle_hash,
        )
        if row is None:
            return None
        values = dict(row)
        values["handle_hash"] = bytes(values["handle_hash"])
        if values["pending_totp_sealed"] is not None:
            values["pending_totp_sealed"] = bytes(values["pending_totp_sealed"])
        return SignIn(**values)

    # -- writes (after the append) -------------------------------------------------------

    async def save_failures(self, account_key: str, ip: str | None, state: Lockout) -> None:
        await self.conn.executemany(
            """INSERT INTO signin_failures (account_key, failures, locked_until, last_failure_at)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (account_key) DO UPDATE SET failures = EXCLUDED.failures,
                   locked_until = EXCLUDED.locked_until,
                   last_failure_at = EXCLUDED.last_failure_at""",
            [
                (key, failures.count, failures.locked_until, failures.last_failure_at)
                for key, failures in (
                    (pair_key(account_key, ip), state.here),
                    (account_key, state.everywhere),
                )
            ],
        )

    async def clear_failures(self, account_key: str, ip: str | None = None) -> None:
        """Start the count over: after a sign-in from ``ip``, its own run and the run from
        everywhere; without ``ip`` (a reset, a recovery), every run of the account, so its
        locks from every address are lifted too."""
        if ip is not None:
            await self.conn.execute(
                "DELETE FROM signin_failures WHERE account_key = ANY($1::text[])",
                [account_key, pair_key(account_key, ip)],
            )
            return
        await self.conn.execute(
            """DELETE FROM signin_failures
               WHERE account_key = $1 OR starts_with(account_key, $2)""",
            account_key,
            pair_key(account_key, ""),
        )

    async def open_signin(self, signin: SignIn) -> None:
        await self.conn.execute(
            """INSERT INTO signin_transactions (handle_hash, signin_ref, account_id, account_kind,
                   app, next_step, base_version, password_reason, pending_totp_sealed,
                   created_at, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
            signin.handle_hash,
            signin.signin_ref,
            signin.account_id,
            signin.account_kind,
            signin.app,
            signin.next_step,
            signin.base_version,
            signin.password_reason,
            signin.pending_totp_sealed,
            signin.created_at,
            signin.expires_at,
        )

    async def advance(
        self,
        handle_hash: bytes,
        next_step: NextStep,
        expires_at: datetime,
        pending_totp_sealed: bytes | None,
    ) -> None:
        await self.conn.execute(
            """UPDATE signin_transactions SET next_step = $2, expires_at = $3,
                   pending_totp_sealed = $4
               WHERE handle_hash = $1""",
            handle_hash,
            next_step,
            expires_at,
            pending_totp_sealed,
        )

    async def close_signin(self, handle_hash: bytes) -> None:
        await self.conn.execute(
            "DELETE FROM signin_transactions WHERE handle_hash = $1", handle_hash
        )

    async def cancel_signins(self, account_id: str) -> None:
        await cancel_signins(self.conn, account_id)

    async def clear_totp(self, account_id: str) -> None:
        await clear_totp(self.conn, account_id)

    async def set_password(
        self,
        account: Account,
        password_hash: str,
        *,
        must_change: bool,
        changed_at: datetime | None,
    ) -> None:
        """Replace the password of an admin or user (whose credentials row exists)."""
        table, key = (
            ("admin_credentials", "admin_id")
            if account.kind == "admin"
            else ("user_credentials", "user_id")
        )
        status = await self.conn.execute(
            f"""UPDATE {table} SET password_hash = $2, must_change_password = $3,
                    password_changed_at = $4
                WHERE {key} = $1""",
            account.account_id,
            password_hash,
            must_change,
            changed_at,
        )
        assert status == "UPDATE 1", f"no credentials row for {account.kind} {account.account_id}"

    async def set_admin_second_password(self, admin_id: str, secret_hash: str) -> None:
        await set_admin_second_password(self.conn, admin_id, secret_hash)

    async def enrol_totp(
        self, account_id: str, secret_sealed: bytes, *, version: int, step: int, at: datetime
    ) -> None:
        await self.conn.execute(
            """INSERT INTO totp_credentials (account_id, secret_sealed, enrolled_version,
                   last_step, enrolled_at)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (account_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed,
                   enrolled_version = EXCLUDED.enrolled_version,
                   last_step = EXCLUDED.last_step, enrolled_at = EXCLUDED.enrolled_at""",
            account_id,
            secret_sealed,
            version,
            step,
            at,
        )

    async def accept_step(self, account_id: str, step: int) -> None:
        await self.conn.execute(
            "UPDATE totp_credentials SET last_step = $2 WHERE account_id = $1",
            account_id,
            step,
        )

    async def purge(self, now: datetime) -> None:
        """Drop finished sign-ins and forgotten failure runs, a bounded batch at a time.

        SKIP LOCKED: two sign-ins purging at once take disjoint rows instead of waiting on
        (or deadlocking with) each other.
        """
        await self.conn.execute(
            """DELETE FROM signin_transactions WHERE handle_hash IN (
                   SELECT handle_hash FROM signin_transactions WHERE expires_at < $1
                   LIMIT 100 FOR UPDATE SKIP LOCKED)""",
            now,
        )
        await self.conn.execute(
            """DELETE FROM signin_failures WHERE account_key IN (
                   SELECT account_key FROM signin_failures
                   WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until < $2)
                   LIMIT 100 FOR UPDATE SKIP LOCKED)""",
            now - FAILURE_MEMORY,
            now,
        )
