"""The services' connection pools."""

import asyncpg


async def _hand_back_as_is(_: asyncpg.Connection) -> None:
    """A pool reset that sends nothing (asyncpg still rolls back an open transaction)."""


async def create_pool(dsn: str, *, min_size: int, max_size: int) -> asyncpg.Pool:
    """A pool whose connections come back without asyncpg's reset query.

    The default reset (unlock every advisory lock, CLOSE ALL, UNLISTEN *, RESET ALL) is one
    more round trip to Postgres on every release: a good part of a short request, and a
    statement for the server to run each time. Our code leaves no session state on a pooled
    connection: locks are transaction-scoped, or released by the code that took them (the
    migrations, the audit purge, which drops its connection if the release fails); LISTEN
    happens on dedicated connections; nothing is SET.
    """
    pool: asyncpg.Pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, reset=_hand_back_as_is
    )
    return pool
