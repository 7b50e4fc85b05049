"""How many sessions are live, for the ``fumidai_sessions_live`` gauge.

Counted in the database rather than kept by each process: sessions start and end on any
replica, so only the table knows the total; every replica reports the same number.
"""

import asyncpg


async def count_live_sessions(pool: asyncpg.Pool) -> int:
    """Sessions in state 'live' across all facilities."""
    count: int = await pool.fetchval("SELECT count(*) FROM sessions WHERE state = 'live'")
    return count
