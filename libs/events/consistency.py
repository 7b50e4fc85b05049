"""Read-your-writes across services: wait until a projection has applied an event.

A command's reply names the last event it wrote (its consistency token). A request to
another service carries it; that service waits, bounded, until its inbox holds it. The
service that wrote the event has nothing to wait for: its rows were written in the
event's own transaction (decision 0001), so an event in its own store is applied.
"""

import asyncio
import time

import asyncpg


async def wait_for_event(
    pool: asyncpg.Pool, event_id: str, timeout: float = 2.0, projection: str | None = None
) -> bool:
    """True once any projection of this service (or ``projection``, when named) has applied
    ``event_id``, or at once when this service wrote it; False on timeout.

    Name the projection a read comes from when several of the service's projections read
    the same event type: each has its own consumer, and one may be ahead of another.
    """
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        if await pool.fetchval(
            """SELECT EXISTS (SELECT 1 FROM inbox WHERE event_id = $1
                              AND ($2::text IS NULL OR projection = $2))
                   OR ($2::text IS NULL AND EXISTS (SELECT 1 FROM events WHERE event_id = $1))""",
            event_id,
            projection,
        ):
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.05)
