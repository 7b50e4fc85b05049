"""The gateway's session table as the clock would leave it: an admin idle for too long."""

import hashlib
from datetime import timedelta

import asyncpg

from services.gateway.adapters.session_cache import CHANNEL, token_key


async def age_session(database_url: str, token: str, idle: timedelta) -> None:
    """Move the session's start and last use ``idle`` into the past, as ``idle`` of no
    requests would have left them.

    Announced on the gateway's NOTIFY channel like every change of a session, so no
    replica keeps serving the copy it cached (as it would not after a real idle wait:
    its cache lives seconds, the idle timeout minutes).
    """
    token_hash = hashlib.sha256(token.encode()).digest()
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            status = await conn.execute(
                """UPDATE sessions SET created_at = created_at - $2::interval,
                       last_seen_at = last_seen_at - $2::interval
                   WHERE token_hash = $1""",
                token_hash,
                idle,
            )
            assert status == "UPDATE 1", status
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, token_key(token_hash))
    finally:
        await conn.close()
