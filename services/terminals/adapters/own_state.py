"""terminals' state tables kept from its own events, in the transaction that appends them:
one small writer per event type (``_APPLY``), each returning the terminal to signal, if any
(a new order for its agent, a revoked credential, a new name, a deletion)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.terminals import (
    AgentCredentialIssued,
    AgentCredentialRevoked,
    SessionCloseAcknowledged,
    SessionEnded,
    SessionForceClosed,
    SessionStarted,
    SessionTimedOut,
    TerminalCreated,
    TerminalDeleted,
    TerminalRenamed,
)
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from services.terminals.domain.terminal import name_key

Apply = Callable[[Connection, Envelope, Mapping[str, bytes]], Awaitable[str | None]]


async def apply_own(
    conn: Connection, envelopes: Sequence[Envelope], secret_hashes: Mapping[str, bytes]
) -> list[str]:
    """Update terminals' state tables from its own events (same transaction).

    Returns the ids of the terminals to signal: a new order for their agent, a revoked
    credential, a new name or a deletion.
    """
    touched: list[str] = []
    for envelope in envelopes:
        apply = _APPLY.get(type(envelope.data))
        if apply is not None and (terminal_id := await apply(conn, envelope, secret_hashes)):
            touched.append(terminal_id)
    return touched


async def _created(conn: Connection, envelope: Envelope, _: Mapping[str, bytes]) -> None:
    data = envelope.data
    assert isinstance(data, TerminalCreated)
    await conn.execute(
        """INSERT INTO terminals (terminal_id, facility, name, name_key, version,
               created_at) VALUES ($1, $2, $3, $4, $5, $6)""",
        envelope.aggregate_id,
        envelope.facility,
        data.name,
        name_key(data.name),
        envelope.version,
        envelope.occurred_at,
    )
    return None


async def _renamed(conn: Connection, envelope: Envelope, _: Mapping[str, bytes]) -> str:
    data = envelope.data
    assert isinstance(data, TerminalRenamed)
    await conn.execute(
        """UPDATE terminals SET name = $2, name_key = $3, version = $4
           WHERE terminal_id = $1""",
        envelope.aggregate_id,
        data.name,
        name_key(data.name),
        envelope.version,
    )
    return envelope.aggregate_id


async def _deleted(conn: Connection, envelope: Envelope, _: Mapping[str, bytes]) -> str:
    await conn.execute(
        "UPDATE terminals SET deleted_at = $2, version = $3 WHERE terminal_id = $1",
        envelope.aggregate_id,
        envelope.occurred_at,
        envelope.version,
    )
    return envelope.aggregate_id


async def _issued(conn: Connection, envelope: Envelope, secret_hashes: Mapping[str, bytes]) -> None:
    data = envelope.data
    assert isinstance(data, AgentCredentialIssued)
    key = envelope.aggregate_id
    await conn.execute(
        """INSERT INTO agent_credentials (credential_id, terminal_id, facility,
               secret_hash, issued_at, issued_by, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        key,
        data.terminal_id,
        envelope.facility,
        secret_hashes[key],
        envelope.occurred_at,
        envelope.actor.id,
        envelope.version,
    )
    return None


async def _revoked(conn: Connection, envelope: Envelope, _: Mapping[str, bytes]) -> str:
    data = envelope.data
    assert isinstance(data, AgentCredentialRevoked)
    await conn.execute(
        """UPDATE agent_credentials SET revoked_at = $2, version = $3
           WHERE credential_id = $1""",
        envelope.aggregate_id,
        envelope.occurred_at,
        envelope.version,
    )
    return data.terminal_id


async def _started(conn: Connection, envelope: Envelope, _: Mapping[str, bytes]) -> None:
    data = envelope.data
    assert isinstance(data, SessionStarted)
    await conn.execute(
        """INSERT INTO sessions (session_id, facility, terminal_id, terminal_name,
               account, account_key, mac, decision_id, state, started_at,
               last_seen_at, version)
           VALUES ($1, $2, $3, $4, $5, lower($5), $6, $7, 'live', $8, $8, $9)""",
        envelope.aggregate_id,
        envelope.facility,
        data.terminal_id,
        data.terminal_name,
        data.account,
        data.mac,
        data.decision_id,
        envelope.occurred_at,
        envelope.version,
    )
    return None


async def _closed(conn: Connection, envelope: Envelope, _: Mapping[str, bytes]) -> str | None:
    data = envelope.data
    assert isinstance(data, SessionEnded | SessionForceClosed | SessionTimedOut)
    return data.terminal_id if await _close(conn, envelope) else None


async def _acknowledged(conn: Connection, envelope: Envelope, _: Mapping[str, bytes]) -> None:
    data = envelope.data
    assert isinstance(data, SessionCloseAcknowledged)
    await conn.execute(
        """WITH session AS (UPDATE sessions SET close_acknowledged_at = $2, version = $3
                            WHERE session_id = $1)
           UPDATE agent_orders SET acknowledged_at = $2
           WHERE terminal_id = $4 AND seq = $5""",
        envelope.aggregate_id,
        envelope.occurred_at,
        envelope.version,
        data.terminal_id,
        data.order_seq,
    )
    return None


_APPLY: dict[type[Event], Apply] = {
    TerminalCreated: _created,
    TerminalRenamed: _renamed,
    TerminalDeleted: _deleted,
    AgentCredentialIssued: _issued,
    AgentCredentialRevoked: _revoked,
    SessionStarted: _started,
    SessionEnded: _closed,
    SessionForceClosed: _closed,
    SessionTimedOut: _closed,
    SessionCloseAcknowledged: _acknowledged,
}
"""The writer of each of terminals' own events; the rest (decisions) are written apart."""


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
