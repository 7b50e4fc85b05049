"""「パスワードを忘れた場合」's tables on identity's database (migration 0010): requests as
typed, waiting for the worker, and the one-time links it mailed (only their hashes).

``RecoveryRows`` is part of identity's one unit of work (``PostgresUnitOfWork``): the
request path's insert, the worker's claim-resolve-commit and the link steps all run in
its transactions.
"""

from datetime import datetime, timedelta

from libs.postgres.transaction import PostgresTransaction
from services.identity.app.recovery_ports import Link, Request
from services.identity.domain.signin import AccountKind

KEEP_FINISHED = timedelta(days=1)
"""How long a resolved request and a used, replaced or expired link stay: a late click on
a link is told what became of it, then the row goes."""

_LOCK_CLASS = 0x5168
"""Advisory lock class of a request in the worker's hands (not a row lock: the worker's
transaction appends its event first, decision 0001)."""


class RecoveryRows(PostgresTransaction):
    """The requests and links of 「パスワードを忘れた場合」, in the transaction's connection."""

    async def claim_due(self, now: datetime) -> Request | None:
        """The oldest request due that no other worker holds (an advisory lock: the
        transaction must append before it writes anything, decision 0001)."""
        due = await self.conn.fetch(
            """SELECT request_id FROM recovery_requests
               WHERE resolved_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT 20""",
            now,
        )
        for row in due:
            taken = await self.conn.fetchval(
                "SELECT pg_try_advisory_xact_lock($1, hashtext($2))", _LOCK_CLASS, row[0]
            )
            if not taken:
                continue
            request = await self.claim_request(row[0], now)
            if request is not None:
                return request
        return None

    async def queue_request(
        self, request_id: str, account: str, app: str, ip: str | None, now: datetime
    ) -> None:
        """One insert, whatever ``account`` names: no lookup in the request path."""
        await self.conn.execute(
            """INSERT INTO recovery_requests (request_id, account, app, ip, requested_at, due_at)
               VALUES ($1, $2, $3, $4, $5, $5)""",
            request_id,
            account,
            app,
            ip,
            now,
        )

    async def claim_request(self, request_id: str, now: datetime) -> Request | None:
        """The request, if still unresolved and due (read again once its advisory lock is held:
        another worker may have resolved it meanwhile)."""
        row = await self.conn.fetchrow(
            """SELECT request_id, account, app, ip, requested_at, attempts
               FROM recovery_requests
               WHERE request_id = $1 AND resolved_at IS NULL AND due_at <= $2""",
            request_id,
            now,
        )
        return Request(**dict(row)) if row else None

    async def resolve_request(self, request_id: str, outcome: str, now: datetime) -> None:
        await self.conn.execute(
            """UPDATE recovery_requests SET resolved_at = $2, outcome = $3, attempts = attempts + 1
               WHERE request_id = $1""",
            request_id,
            now,
            outcome,
        )

    async def lease_request(self, request_id: str, until: datetime) -> None:
        """The request is being mailed: no other worker takes it before ``until``."""
        await self.conn.execute(
            "UPDATE recovery_requests SET due_at = $2 WHERE request_id = $1", request_id, until
        )

    async def retry_request(self, request_id: str, due_at: datetime) -> None:
        """The mail was not accepted: try again at ``due_at``."""
        await self.conn.execute(
            """UPDATE recovery_requests SET attempts = attempts + 1, due_at = $2
               WHERE request_id = $1""",
            request_id,
            due_at,
        )

    async def address_of(self, account_id: str, kind: AccountKind) -> str | None:
        """The registered address: an admin's own (issue 15), a user's profile's (U1)."""
        table, key = ("admins", "admin_id") if kind == "admin" else ("users", "user_id")
        found: str | None = await self.conn.fetchval(
            f"SELECT nullif(trim(email), '') FROM {table} WHERE {key} = $1", account_id
        )
        return found

    async def add_link(self, link: Link) -> None:
        """Store a new link; every earlier link of its account still open is replaced by it."""
        await self.conn.execute(
            """UPDATE recovery_links SET replaced_at = $2
               WHERE account_id = $1 AND used_at IS NULL AND replaced_at IS NULL""",
            link.account_id,
            link.created_at,
        )
        await self.conn.execute(
            """INSERT INTO recovery_links (token_hash, request_id, account_id, account_kind, app,
                   base_version, created_at, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
            link.token_hash,
            link.request_id,
            link.account_id,
            link.account_kind,
            link.app,
            link.base_version,
            link.created_at,
            link.expires_at,
        )

    async def find_link(self, token_hash: bytes) -> Link | None:
        row = await self.conn.fetchrow(
            """SELECT token_hash, request_id, account_id, account_kind, app, base_version,
                      created_at, expires_at, used_at, replaced_at
               FROM recovery_links WHERE token_hash = $1""",
            token_hash,
        )
        if row is None:
            return None
        values = dict(row)
        values["token_hash"] = bytes(values["token_hash"])
        return Link(**values)

    async def use_link(self, token_hash: bytes, now: datetime) -> bool:
        """Consume the link; False when it was used or replaced first (exactly one use wins)."""
        status = await self.conn.execute(
            """UPDATE recovery_links SET used_at = $2
               WHERE token_hash = $1 AND used_at IS NULL AND replaced_at IS NULL""",
            token_hash,
            now,
        )
        return bool(status == "UPDATE 1")

    async def end_link(self, token_hash: bytes, now: datetime) -> None:
        """Void one link (its mail never went out)."""
        await self.conn.execute(
            "UPDATE recovery_links SET replaced_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
            token_hash,
            now,
        )

    async def end_links(self, account_id: str, now: datetime) -> None:
        """Replace every open link of the account (it recovered, or it was locked)."""
        await self.conn.execute(
            """UPDATE recovery_links SET replaced_at = $2
               WHERE account_id = $1 AND used_at IS NULL AND replaced_at IS NULL""",
            account_id,
            now,
        )

    async def purge_recovery(self, now: datetime) -> None:
        """Forget finished requests and links a day on, a bounded batch at a time."""
        await self.conn.execute(
            """DELETE FROM recovery_requests WHERE request_id IN (
                   SELECT request_id FROM recovery_requests WHERE resolved_at < $1
                   LIMIT 500 FOR UPDATE SKIP LOCKED)""",
            now - KEEP_FINISHED,
        )
        await self.conn.execute(
            """DELETE FROM recovery_links WHERE token_hash IN (
                   SELECT token_hash FROM recovery_links WHERE expires_at < $1
                   LIMIT 500 FOR UPDATE SKIP LOCKED)""",
            now - KEEP_FINISHED,
        )
