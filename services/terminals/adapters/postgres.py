"""terminals' unit of work on PostgreSQL: events, then the state they describe, one
transaction; after the commit the relay is woken and the terminals it changed are signalled
(new orders for their agents, revoked credentials, a new name, a deletion)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Self

import asyncpg

from libs.events.catalogue.terminals import ConnectionDecided
from libs.events.codec import decode
from libs.events.envelope import Envelope
from libs.events.store import append
from libs.postgres.transaction import PostgresTransaction
from services.terminals.adapters.own_state import apply_own
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
