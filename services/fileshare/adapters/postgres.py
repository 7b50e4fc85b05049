"""fileshare on PostgreSQL: a unit of work (events first, then state tables) and the reads
(``app/ports.py``).

The state tables ``shares`` and ``share_files`` are kept from fileshare's own events in the
transaction that appends them, so the service always reads its own writes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import asyncpg

from libs.events.catalogue import Event
from libs.events.catalogue.fileshare import (
    FileScanned,
    ShareApproved,
    ShareAvailable,
    ShareAwaitingApproval,
    ShareBlocked,
    ShareDenied,
    ShareExpired,
    ShareUploaded,
)
from libs.events.envelope import Envelope
from libs.events.store import append, read_stream
from libs.postgres.connection import Connection
from libs.postgres.transaction import PostgresTransaction
from services.fileshare.app.ports import Policy, ShareKey, ShareUser
from services.fileshare.domain.share import Share, fold


class PostgresUnitOfWork(PostgresTransaction):
    """One transaction on fileshare's database; ``on_commit`` wakes the relay."""

    async def share(self, facility: str, share_id: str) -> Share | None:
        """The share as its events leave it; None when missing or another facility's."""
        share = fold(await read_stream(self.conn, share_id))
        return share if share is not None and share.facility == facility else None

    async def append(self, envelopes: Sequence[Envelope]) -> None:
        """Append (the transaction's first write) and update the state tables."""
        await append(self.conn, envelopes)
        for envelope in envelopes:
            await apply_own(self.conn, envelope)


async def apply_own(conn: Connection, envelope: Envelope) -> None:
    """Update ``shares``/``share_files`` from one of fileshare's own events."""
    apply = _APPLY.get(type(envelope.data))
    if apply is not None:
        await apply(conn, envelope)
    await conn.execute(
        "UPDATE shares SET version = $2 WHERE share_id = $1",
        envelope.aggregate_id,
        envelope.version,
    )


async def _uploaded(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, ShareUploaded)
    share_id = envelope.aggregate_id
    await conn.execute(
        """INSERT INTO shares (share_id, facility, version, owner_account, owner_name,
               uploaded_by, uploaded_by_role, direction, purpose, needs_approval, state,
               total_size, uploaded_at, expires_at, owner_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scanning', $11, $12, $13,
                   $14)""",
        share_id,
        envelope.facility,
        envelope.version,
        data.owner_account,
        data.owner_name,
        data.uploaded_by,
        data.uploaded_by_role,
        data.direction,
        data.purpose,
        data.needs_approval,
        sum(f.size for f in data.files),
        envelope.occurred_at,
        data.expires_at,
        data.owner_id,
    )
    await conn.executemany(
        """INSERT INTO share_files (share_id, file_id, position, name, size, sha256)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (share_id, f.file_id, position, f.name, f.size, f.sha256)
            for position, f in enumerate(data.files)
        ],
    )


async def _scanned(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, FileScanned)
    share_id = envelope.aggregate_id
    await conn.execute(
        "UPDATE share_files SET scan = $3, signature = $4 WHERE share_id = $1 AND file_id = $2",
        share_id,
        data.file_id,
        data.result,
        data.signature,
    )
    await conn.execute(
        """UPDATE shares SET scan = CASE
               WHEN bool_or_scan.pending THEN 'pending'
               WHEN bool_or_scan.infected THEN 'infected'
               WHEN bool_or_scan.unscannable THEN 'unscannable'
               ELSE 'clean' END
           FROM (SELECT bool_or(scan = 'infected') AS infected,
                        bool_or(scan = 'unscannable') AS unscannable,
                        bool_or(scan = 'pending') AS pending
                 FROM share_files WHERE share_id = $1) AS bool_or_scan
           WHERE share_id = $1""",
        share_id,
    )


_SCANNED_STATES: dict[type[Event], str] = {
    ShareAvailable: "available",
    ShareAwaitingApproval: "awaiting_approval",
    ShareBlocked: "blocked",
}


async def _scanned_state(conn: Connection, envelope: Envelope) -> None:
    """The share's state once every file has its verdict; a blocked share's files go."""
    files_gone = envelope.occurred_at if isinstance(envelope.data, ShareBlocked) else None
    await conn.execute(
        "UPDATE shares SET state = $2, files_deleted_at = $3 WHERE share_id = $1",
        envelope.aggregate_id,
        _SCANNED_STATES[type(envelope.data)],
        files_gone,
    )


async def _decided(conn: Connection, envelope: Envelope) -> None:
    await conn.execute(
        """UPDATE shares SET state = $2, decided_by = $3, decided_at = $4
           WHERE share_id = $1""",
        envelope.aggregate_id,
        "approved" if isinstance(envelope.data, ShareApproved) else "denied",
        envelope.actor.id,
        envelope.occurred_at,
    )


async def _expired(conn: Connection, envelope: Envelope) -> None:
    await conn.execute(
        "UPDATE shares SET files_deleted_at = $2 WHERE share_id = $1",
        envelope.aggregate_id,
        envelope.occurred_at,
    )


_APPLY: dict[type[Event], Callable[[Connection, Envelope], Awaitable[None]]] = {
    ShareUploaded: _uploaded,
    FileScanned: _scanned,
    ShareAvailable: _scanned_state,
    ShareAwaitingApproval: _scanned_state,
    ShareBlocked: _scanned_state,
    ShareApproved: _decided,
    ShareDenied: _decided,
    ShareExpired: _expired,
}
"""How each of fileshare's own events changes the state tables; the rest (downloads)
change none beyond the share's version."""


class PostgresDirectory:
    """fileshare's reads outside a unit of work (``app.ports.Directory``), on its pool."""

    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        self._pool = pool

    async def policy(self, facility: str) -> Policy | None:
        async with self._pool().acquire() as conn:
            return await policy(conn, facility)

    async def user_by_account(self, facility: str, account: str) -> ShareUser | None:
        async with self._pool().acquire() as conn:
            return await user_by_account(conn, facility, account)

    async def live_user_id(self, facility: str, account: str) -> str | None:
        async with self._pool().acquire() as conn:
            return await live_user_id(conn, facility, account)

    async def shares_scanning(self, limit: int) -> list[ShareKey]:
        rows = await self._pool().fetch(
            """SELECT share_id, facility FROM shares WHERE state = 'scanning'
               ORDER BY uploaded_at LIMIT $1""",
            limit,
        )
        return [ShareKey(row["facility"], row["share_id"]) for row in rows]

    async def shares_due(self, now: datetime, limit: int) -> list[ShareKey]:
        rows = await self._pool().fetch(
            """SELECT share_id, facility FROM shares
               WHERE files_deleted_at IS NULL AND expires_at <= $1
               ORDER BY expires_at LIMIT $2""",
            now,
            limit,
        )
        return [ShareKey(row["facility"], row["share_id"]) for row in rows]


async def policy(conn: Connection, code: str) -> Policy | None:
    row = await conn.fetchrow(
        """SELECT code, internal_networks::text[] AS networks, download_period_months
           FROM facility_policies WHERE code = $1""",
        code,
    )
    if row is None:
        return None
    return Policy(row["code"], tuple(row["networks"]), row["download_period_months"])


async def user_by_account(conn: Connection, facility: str, account: str) -> ShareUser | None:
    """A live user of ``facility``; None when missing, deleted or another facility's."""
    row = await conn.fetchrow(
        """SELECT user_id, facility, account, name, email, file_share FROM share_users
           WHERE lower(account) = lower($1) AND facility = $2 AND NOT deleted""",
        account,
        facility,
    )
    return ShareUser(**dict(row)) if row else None


async def live_user_id(conn: Connection, facility: str, account: str) -> str | None:
    """The id of the live user of ``facility`` now holding ``account`` (a user token's
    ``sub``): shares are found by it, never by the name (issue 16, item 3)."""
    user = await user_by_account(conn, facility, account)
    return user.user_id if user else None
