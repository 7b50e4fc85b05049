"""identity's credential rows on PostgreSQL: accounts as sign-in reads them, passwords,
second passwords, and what each credential event does to the rows.

Tables: ``admin_credentials`` (0001, plus the second password), ``user_credentials``
(0002, the users area's) and ``totp_credentials`` (0003). ``CredentialRows`` is part of
identity's one unit of work (``PostgresUnitOfWork``); the functions below are also the
appliers of credential events (``adapters/own_events``), run in the same transaction
after the append.

A reset MFA unbinds the authenticator (``clear_totp``) and a reset password cancels the
sign-ins in progress (``cancel_signins``). Sign-in does not depend on it: an authenticator
enrolled before a later reset event of its account counts as unbound, and a sign-in begun
before a reset is refused, whoever deletes the rows (``account_versions``).
"""

from __future__ import annotations

from datetime import datetime

from libs.events.catalogue.credentials import AdminMfaReset, FacilityPasswordExpirySet
from libs.events.catalogue.identity import AdminDisabled
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from libs.postgres.transaction import PostgresTransaction
from services.identity.app.credential_ports import Account, Versions
from services.identity.domain.signin import AccountKind

PASSWORD_RESETS = ("AdminPasswordReset.v1", "UserPasswordReset.v1")
MFA_RESETS = ("AdminMfaReset.v1", "UserMfaReset.v1")

# Advisory lock class of sign-in: all steps on one account run one at a time, so two
# concurrent failures cannot both read "4" and miss the lock. (Not SELECT FOR UPDATE: it
# takes a transaction id before the append, which decision 0001 forbids.)
_LOCK_CLASS = 0x5167

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


async def admin_version(conn: Connection, envelope: Envelope) -> None:
    """An admin's credential event: the aggregate's version column follows the event, or
    the next command on the admin would append with a stale version and be refused."""
    await conn.execute(
        "UPDATE admins SET version = $2 WHERE admin_id = $1",
        envelope.aggregate_id,
        envelope.version,
    )
    if isinstance(envelope.data, AdminMfaReset):
        await clear_totp(conn, envelope.aggregate_id)


async def admin_switched(conn: Connection, envelope: Envelope) -> None:
    """``AdminDisabled``/``AdminEnabled``; a disabled admin's sign-ins in progress end (a
    sign-in past its password step must not finish either)."""
    disabled = isinstance(envelope.data, AdminDisabled)
    await conn.execute(
        "UPDATE admins SET version = $2, disabled = $3 WHERE admin_id = $1",
        envelope.aggregate_id,
        envelope.version,
        disabled,
    )
    if disabled:
        await cancel_signins(conn, envelope.aggregate_id)


async def password_expiry_set(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, FacilityPasswordExpirySet)
    await conn.execute(
        """UPDATE facilities SET version = $2, password_max_age_days = $3
           WHERE facility_id = $1""",
        envelope.aggregate_id,
        envelope.version,
        data.max_age_days,
    )


class CredentialRows(PostgresTransaction):
    """Accounts and their passwords, in the transaction's connection."""

    async def lock(self, account_key: str) -> None:
        """Serialise sign-in work on one account (typed or known) until the transaction ends."""
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))", _LOCK_CLASS, account_key
        )

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

    async def facility_id_of(self, code: str) -> str | None:
        found: str | None = await self.conn.fetchval(
            "SELECT facility_id FROM facilities WHERE code = $1", code
        )
        return found

    async def versions(self, aggregate_id: str) -> Versions:
        return await account_versions(self.conn, aggregate_id)

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
        """Store an admin's second password hash (its credentials row must exist)."""
        await set_admin_second_password(self.conn, admin_id, secret_hash)

    async def cancel_signins(self, account_id: str) -> None:
        await cancel_signins(self.conn, account_id)
