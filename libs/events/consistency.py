"""Read-your-writes across services: wait until a projection has applied an event.

A command's reply names the last event it wrote (its consistency token). A request to
another service carries it; that service waits, bounded, until its inbox holds it.
"""

import asyncio
import time

import asyncpg


async def wait_for_event(pool: asyncpg.Pool, event_id: str, timeout: float = 2.0) -> bool:
    """True once any projection of this service has applied ``event_id``; False on timeout."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        if await pool.fetchval("SELECT EXISTS (SELECT 1 FROM inbox WHERE event_id = $1)", event_id):
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.05)
