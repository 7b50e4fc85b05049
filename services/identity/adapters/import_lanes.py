"""The lanes a users CSV import applies its rows on: connections of the job's own, each
held for the whole job, each row a ``PostgresUnitOfWork`` on one of them.

Many rows at once let their commits share WAL flushes, and the service's pool stays free
for the API and the relay; holding a connection saves the reset round trip a pool makes
each time one is given back, which costs as much as a row's short transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from services.identity.adapters.postgres import PostgresUnitOfWork
from services.identity.app.import_ports import Lanes
from services.identity.app.unit_of_work import UserUnitOfWork


def import_lanes(dsn: str, on_commit: Callable[[], None]) -> Lanes:
    """Lanes on a pool of ``width`` connections to ``dsn``, opened per job."""

    def lanes(width: int) -> AbstractAsyncContextManager[list[Callable[[], UserUnitOfWork]]]:
        return _opened(dsn, on_commit, width)

    return lanes


@asynccontextmanager
async def _opened(
    dsn: str, on_commit: Callable[[], None], width: int
) -> AsyncIterator[list[Callable[[], UserUnitOfWork]]]:
    pool = await asyncpg.create_pool(dsn, min_size=width, max_size=width)
    try:
        async with AsyncExitStack() as held:
            factories: list[Callable[[], UserUnitOfWork]] = []
            for _ in range(width):
                conn = await held.enter_async_context(pool.acquire())
                factories.append(_on(pool, on_commit, conn))
            yield factories
    finally:
        await pool.close()


def _on(
    pool: asyncpg.Pool,
    on_commit: Callable[[], None],
    conn: PoolConnectionProxy[asyncpg.Record],
) -> Callable[[], UserUnitOfWork]:
    def uow() -> UserUnitOfWork:
        return PostgresUnitOfWork(pool, on_commit, conn=conn)

    return uow
