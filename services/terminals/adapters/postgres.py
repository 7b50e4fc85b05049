"""terminals' unit of work on PostgreSQL: events, then the state they describe, one
transaction; after the commit the relay is woken and the terminals it changed are signalled
(new orders for their agents, revoked credentials, a new name, a deletion)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Self

import asyncpg

from libs.events.catalogue.terminals import (
    AgentCredentialIssued,
    AgentCredentialRevoked,
    ConnectionDecided,
    SessionCloseAcknowledged,
    SessionEnded,
    SessionForceClosed,
    SessionStarted,
    SessionTimedOut,
    TerminalCreated,
    TerminalDeleted,
    TerminalRenamed,
)
from libs.events.codec import decode
from libs.events.envelope import Envelope
from libs.events.store import append
from libs.postgres.connection import Connection
from libs.postgres.transaction import PostgresTransaction
from services.terminals.app.unit_of_work import (
    CredentialState,
    DecisionAlreadyUsed,
    Grant,
    Order,
)
from services.terminals.domain.errors import taken
from services.terminals.domain.session import Session
from services.terminals.domain.terminal import Terminal, name_key

Signal = Callable[[Sequence[str]], Awaitable[None]]
"""Tells every replica that these terminals changed (``adapters/signals.py``)."""

SESSION_COLUMNS = "session_id, facility, terminal_id, account, state, version, last_seen_at"


def session_of(row: asyncpg.Record) -> Session:
    return Session(
        session_id=row["session_id"],
        facility=row["facility"],
        terminal_id=row["terminal_id"],
        account=row["account"],
        state=row["state"],
        version=row["version"],
        last_seen_at=row["last_seen_at"],
    )


class PostgresUnitOfWork(PostgresTransaction):
    """A transaction on terminals' database."""

    def __init__(self, pool: asyncpg.Pool, on_commit: Callable[[], None], signal: Signal) -> None:
        super().__init__(pool, on_commit)
        self._signal = signal
        self._touched: list[str] = []

    async def __aenter__(self) -> Self:
        self._touched = []
        return await super().__aenter__()

    async def after_commit(self) -> None:
        if self._touched:
            await self._signal(sorted(set(self._touched)))

    async def lock(self, *keys: str) -> None:
        # Advisory locks take no transaction id, so the append can still come first.
        for key in keys:
            await self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)

    async def try_lock(self, key: str) -> bool:
        return bool(
            await self.conn.fetchval(
                "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))", key
            )
        )

    async def terminal(self, facility: str, terminal_id: str) -> Terminal | None:
        row = await self.conn.fetchrow(
            """SELECT terminal_id, facility, name, version, deleted_at IS NOT NULL AS deleted
               FROM terminals WHERE terminal_id = $1 AND facility = $2""",
            terminal_id,
            facility,
        )
        return Terminal(**dict(row)) if row else None

    async def name_taken(self, facility: str, name: str, except_id: str | None = None) -> bool:
        return bool(
            await self.conn.fetchval(
                """SELECT EXISTS (SELECT 1 FROM terminals WHERE facility = $1 AND name_key = $2
                       AND deleted_at IS NULL AND terminal_id IS DISTINCT FROM $3)""",
                facility,
                name_key(name),
                except_id,
            )
        )

    async def credentials_of(self, terminal_id: str) -> list[CredentialState]:
        rows = await self.conn.fetch(
            """SELECT credential_id, terminal_id, version, revoked_at IS NOT NULL AS revoked
               FROM agent_credentials WHERE terminal_id = $1 ORDER BY issued_at""",
            terminal_id,
        )
        return [CredentialState(**dict(row)) for row in rows]

    async def credential(
        self, facility: str, terminal_id: str, credential_id: str
    ) -> CredentialState | None:
        row = await self.conn.fetchrow(
            """SELECT credential_id, terminal_id, version, revoked_at IS NOT NULL AS revoked
               FROM agent_credentials
               WHERE credential_id = $1 AND terminal_id = $2 AND facility = $3""",
            credential_id,
            terminal_id,
            facility,
        )
        return CredentialState(**dict(row)) if row else None

    async def session(self, session_id: str, facility: str | None = None) -> Session | None:
        row = await self.conn.fetchrow(
            f"""SELECT {SESSION_COLUMNS} FROM sessions
                WHERE session_id = $1 AND ($2::text IS NULL OR facility = $2)""",
            session_id,
            facility,
        )
        return session_of(row) if row else None

    async def session_of_decision(self, decision_id: str) -> Session | None:
        row = await self.conn.fetchrow(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE decision_id = $1", decision_id
        )
        return session_of(row) if row else None

    async def live_sessions(
        self,
        *,
        terminal_id: str | None = None,
        facility: str | None = None,
        account: str | None = None,
        silent_since: datetime | None = None,
        limit: int = 1000,
    ) -> list[Session]:
        rows = await self.conn.fetch(
            f"""SELECT {SESSION_COLUMNS} FROM sessions
                WHERE state = 'live'
                  AND ($1::text IS NULL OR terminal_id = $1)
                  AND ($2::text IS NULL OR facility = $2)
                  AND ($3::text IS NULL OR account_key = lower($3))
                  AND ($4::timestamptz IS NULL OR last_seen_at < $4)
                ORDER BY started_at, session_id LIMIT $5""",
            terminal_id,
            facility,
            account,
            silent_since,
            limit,
        )
        return [session_of(row) for row in rows]

    async def grant(self, decision_id: str, terminal_id: str) -> Grant | None:
        # The decision's own event is the grant: read by its primary key, no table of its
        # own to write on every decision (the agents' hot path is one INSERT).
        payload = await self.conn.fetchval(
            "SELECT payload FROM events WHERE aggregate_id = $1 AND version = 1", decision_id
        )
        if payload is None:
            return None
        envelope = decode(bytes(payload))
        data = envelope.data
        if not isinstance(data, ConnectionDecided) or not data.allowed:
            return None
        if data.terminal_id != terminal_id:
            return None
        return Grant(
            decision_id=decision_id,
            facility=envelope.facility,
            terminal_id=data.terminal_id,
            account=data.account,
            mac=data.mac,
            decided_at=envelope.occurred_at,
        )

    async def user_active(self, facility: str, account: str) -> bool:
        return bool(
            await self.conn.fetchval(
                """SELECT EXISTS (SELECT 1 FROM access_users WHERE facility = $1
                       AND account_key = lower($2) AND NOT deleted
                       AND profile_version IS NOT NULL)""",
                facility,
                account,
            )
        )

    async def order(self, terminal_id: str, seq: int) -> Order | None:
        row = await self.conn.fetchrow(
            """SELECT o.terminal_id, o.seq, o.session_id, s.version AS session_version,
                      o.ordered_at, o.acknowledged_at IS NOT NULL AS acknowledged
               FROM agent_orders o JOIN sessions s USING (session_id)
               WHERE o.terminal_id = $1 AND o.seq = $2""",
            terminal_id,
            seq,
        )
        return Order(**dict(row)) if row else None

    async def append(
        self, envelopes: Sequence[Envelope], *, secret_hashes: Mapping[str, bytes] | None = None
    ) -> None:
        await append(self.conn, envelopes)
        try:
            self._touched += await apply_own(self.conn, envelopes, secret_hashes or {})
        except asyncpg.UniqueViolationError as error:
            # A concurrent command won the race the handler's read could not see.
            if error.constraint_name == "terminals_name_unique":
                raise taken("name", "terminal_name_taken") from error
            if error.constraint_name == "sessions_decision_id_key":
                raise DecisionAlreadyUsed() from error
            raise


async def apply_own(
    conn: Connection, envelopes: Sequence[Envelope], secret_hashes: Mapping[str, bytes]
) -> list[str]:
    """Update terminals' state tables from its own events (same transaction).

    Returns the ids of the terminals to signal: a new order for their agent, a revoked
    credential, a new name or a deletion.
    """
    touched: list[str] = []
    for envelope in envelopes:
        data, at, version = envelope.data, envelope.occurred_at, envelope.version
        key = envelope.aggregate_id
        if isinstance(data, TerminalCreated):
            await conn.execute(
                """INSERT INTO terminals (terminal_id, facility, name, name_key, version,
                       created_at) VALUES ($1, $2, $3, $4, $5, $6)""",
                key,
                envelope.facility,
                data.name,
                name_key(data.name),
                version,
                at,
            )
        elif isinstance(data, TerminalRenamed):
            await conn.execute(
                """UPDATE terminals SET name = $2, name_key = $3, version = $4
                   WHERE terminal_id = $1""",
                key,
                data.name,
                name_key(data.name),
                version,
            )
            touched.append(key)
        elif isinstance(data, TerminalDeleted):
            await conn.execute(
                "UPDATE terminals SET deleted_at = $2, version = $3 WHERE terminal_id = $1",
                key,
                at,
                version,
            )
            touched.append(key)
        elif isinstance(data, AgentCredentialIssued):
            await conn.execute(
                """INSERT INTO agent_credentials (credential_id, terminal_id, facility,
                       secret_hash, issued_at, issued_by, version)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                key,
                data.terminal_id,
                envelope.facility,
                secret_hashes[key],
                at,
                envelope.actor.id,
                version,
            )
        elif isinstance(data, AgentCredentialRevoked):
            await conn.execute(
                """UPDATE agent_credentials SET revoked_at = $2, version = $3
                   WHERE credential_id = $1""",
                key,
                at,
                version,
            )
            touched.append(data.terminal_id)
        elif isinstance(data, SessionStarted):
            await conn.execute(
                """INSERT INTO sessions (session_id, facility, terminal_id, terminal_name,
                       account, account_key, mac, decision_id, state, started_at,
                       last_seen_at, version)
                   VALUES ($1, $2, $3, $4, $5, lower($5), $6, $7, 'live', $8, $8, $9)""",
                key,
                envelope.facility,
                data.terminal_id,
                data.terminal_name,
                data.account,
                data.mac,
                data.decision_id,
                at,
                version,
            )
        elif isinstance(data, SessionEnded | SessionForceClosed | SessionTimedOut):
            if await _close(conn, envelope):
                touched.append(data.terminal_id)
        elif isinstance(data, SessionCloseAcknowledged):
            await conn.execute(
                """WITH session AS (UPDATE sessions SET close_acknowledged_at = $2, version = $3
                                    WHERE session_id = $1)
                   UPDATE agent_orders SET acknowledged_at = $2
                   WHERE terminal_id = $4 AND seq = $5""",
                key,
                at,
                version,
                data.terminal_id,
                data.order_seq,
            )
    return touched


_CLOSE = """UPDATE sessions SET state = $2, ended_at = $3, end_reason = $4, closed_by = $5,
                  close_reason = $6, version = $7
              WHERE session_id = $1"""

# One statement for both: the session's ending, and an order for its agent to cut it,
# next in its terminal's sequence (the terminal's row lock numbers concurrent orders).
_CLOSE_AND_ORDER = f"""
WITH closed AS ({_CLOSE}),
     next AS (UPDATE terminals SET order_seq = order_seq + 1
              WHERE terminal_id = $8 RETURNING order_seq)
INSERT INTO agent_orders (terminal_id, seq, session_id, kind, cause, reason, account,
                          ordered_at)
SELECT $8, order_seq, $1, 'close', $9, $6, $10, $3 FROM next
"""


async def _close(conn: Connection, envelope: Envelope) -> bool:
    """Record a session's ending; order its agent to cut it when an admin or a user's
    deletion ended it. True when there is an order."""
    data = envelope.data
    state, end_reason, closed_by, close_reason = "ended", None, None, None
    cause = None
    if isinstance(data, SessionEnded):
        end_reason = data.reason
        cause = "user_deleted" if data.reason == "user_deleted" else None
    elif isinstance(data, SessionForceClosed):
        state, closed_by, close_reason = "force_closed", data.closed_by, data.reason
        cause = "force_closed"
    elif isinstance(data, SessionTimedOut):
        state = "timed_out"
    closing = (
        envelope.aggregate_id,
        state,
        envelope.occurred_at,
        end_reason,
        closed_by,
        close_reason,
        envelope.version,
    )
    if cause is None:
        await conn.execute(_CLOSE, *closing)
        return False
    assert isinstance(data, SessionEnded | SessionForceClosed)
    await conn.execute(_CLOSE_AND_ORDER, *closing, data.terminal_id, cause, data.account)
    return True
