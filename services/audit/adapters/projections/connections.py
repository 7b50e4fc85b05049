"""端末接続履歴 (SPEC A1, C1–C4): a row per session, and per refused connection attempt.

A session's row is written when it starts (「接続中」) and closed by the first of
SessionEnded (切断), SessionForceClosed (強制切断) and SessionTimedOut (タイムアウト):
one session's events share a subject, so they arrive in order, and whatever comes after
the first close (the agent's own report after a forced cut) does not change the row.
Names are the ones the events carried: the terminal's name when the session started.
"""

from collections.abc import Sequence
from datetime import datetime

from libs.events.catalogue import Event
from libs.events.catalogue.terminals import (
    ConnectionDecided,
    SessionCloseAcknowledged,
    SessionEnded,
    SessionForceClosed,
    SessionStarted,
    SessionTimedOut,
)
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from services.audit.domain.logs import CONNECTIONS

_INSERT = """
INSERT INTO connection_log (row_id, facility, started_at, account, terminal_id, terminal_name,
                            mac, state, reason, decision_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[],
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
ON CONFLICT (row_id) DO NOTHING
"""

# A timed-out session ended when it was last known alive, never before it started.
_CLOSE = """
UPDATE connection_log AS c
SET state = x.state,
    ended_at = greatest(x.ended_at, c.started_at),
    reason = x.reason,
    closed_by = x.closed_by,
    close_reason = x.close_reason
FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[])
     AS x(row_id, state, ended_at, reason, closed_by, close_reason)
WHERE c.row_id = x.row_id AND c.state = 'live'
"""

_ACKNOWLEDGE = """
UPDATE connection_log AS c SET close_acknowledged_at = x.at
FROM unnest($1::text[], $2::timestamptz[]) AS x(row_id, at)
WHERE c.row_id = x.row_id AND c.close_acknowledged_at IS NULL
"""

Opened = tuple[str, str, datetime, str, str, str, str, str, str | None, str | None]
Closed = tuple[str, str, datetime, str | None, str | None, str | None]


class ConnectionLog:
    """端末接続履歴."""

    name = CONNECTIONS.projection
    events: Sequence[type[Event]] = (
        ConnectionDecided,
        SessionStarted,
        SessionEnded,
        SessionForceClosed,
        SessionTimedOut,
        SessionCloseAcknowledged,
    )
    tables: Sequence[str] = ("connection_log",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        await self.apply_many(conn, [envelope])

    async def apply_many(self, conn: Connection, envelopes: Sequence[Envelope]) -> None:
        opened: list[Opened] = []
        closed: dict[str, Closed] = {}
        acknowledged: dict[str, datetime] = {}
        for env in envelopes:
            data, row_id, at = env.data, env.aggregate_id, env.occurred_at
            if isinstance(data, ConnectionDecided):
                if not data.allowed:  # allowed ones show up as their session
                    opened.append(
                        (row_id, env.facility, at, data.account, data.terminal_id,
                         data.terminal_name, data.mac, "refused", data.reason, None)
                    )  # fmt: skip
            elif isinstance(data, SessionStarted):
                opened.append(
                    (row_id, env.facility, at, data.account, data.terminal_id,
                     data.terminal_name, data.mac, "live", None, data.decision_id)
                )  # fmt: skip
            elif isinstance(data, SessionEnded):
                closed.setdefault(row_id, (row_id, "ended", at, data.reason, None, None))
            elif isinstance(data, SessionForceClosed):
                closed.setdefault(
                    row_id, (row_id, "force_closed", at, None, data.closed_by, data.reason)
                )
            elif isinstance(data, SessionTimedOut):
                closed.setdefault(
                    row_id, (row_id, "timed_out", data.last_heartbeat_at, None, None, None)
                )
            elif isinstance(data, SessionCloseAcknowledged):
                acknowledged.setdefault(row_id, at)
        # Opened before closed: a session that starts and ends within one batch is closed.
        # Only the first close of each session counts, as it would one event at a time.
        if opened:
            await conn.execute(_INSERT, *_columns(opened, 10))
        if closed:
            await conn.execute(_CLOSE, *_columns(list(closed.values()), 6))
        if acknowledged:
            await conn.execute(_ACKNOWLEDGE, list(acknowledged), list(acknowledged.values()))


def _columns(rows: Sequence[tuple[object, ...]], width: int) -> list[list[object]]:
    """Rows as one list per column, for ``unnest``."""
    return [[row[i] for row in rows] for i in range(width)]
