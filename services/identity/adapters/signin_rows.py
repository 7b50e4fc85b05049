"""Sign-in's own rows on PostgreSQL (migration 0003): the lockout runs of L4
(``signin_failures``), the sign-in transactions (``signin_transactions``) and the bound
authenticators (``totp_credentials``). ``SignInRows`` is part of identity's one unit of
work (``PostgresUnitOfWork``): its writes follow the step's append in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from libs.postgres.transaction import PostgresTransaction
from services.identity.app.credential_ports import SignIn, Totp
from services.identity.domain.signin import FAILURE_MEMORY, Failures, Lockout, NextStep


def pair_key(account_key: str, ip: str | None) -> str:
    """The ``signin_failures`` key of an account's failures from one address; the account's
    own key holds those from everywhere (docs/decisions/0031)."""
    return f"{account_key} @{ip if ip is not None else '-'}"


class SignInRows(PostgresTransaction):
    """Lockout runs, sign-in transactions and authenticators, in the transaction's connection."""

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
