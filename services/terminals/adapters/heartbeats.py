"""Agents' heartbeats: which of the sessions an agent reports are still live here.

A heartbeat is not an event (one per agent a minute would drown the log); it moves the
sessions' ``last_seen_at``, which the sweeper reads (SPEC C3's timeout).
"""

from datetime import datetime

import asyncpg


async def record_heartbeat(
    pool: asyncpg.Pool, terminal_id: str, session_ids: list[str], now: datetime
) -> set[str]:
    """Mark the terminal's live sessions among ``session_ids`` as seen at ``now``; return them."""
    if not session_ids:
        return set()
    rows = await pool.fetch(
        """UPDATE sessions SET last_seen_at = greatest(last_seen_at, $3)
           WHERE terminal_id = $1 AND session_id = ANY($2::text[]) AND state = 'live'
           RETURNING session_id""",
        terminal_id,
        session_ids,
        now,
    )
    return {row["session_id"] for row in rows}
