"""The transaction plumbing every service's unit of work shares.

A subclass adds the reads and writes of its service; this class acquires a connection
(or runs on one the caller holds), starts the transaction, rolls back unless committed,
gives the connection back, and calls ``on_commit`` once the commit is through, which is
how a unit of work that appended events wakes its service's relay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy


class PostgresTransaction:
    """One transaction on a pool, used as ``async with uow: ...; await uow.commit()``."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        on_commit: Callable[[], None],
        *,
        conn: PoolConnectionProxy[asyncpg.Record] | None = None,
    ) -> None:
        """``conn``: run on this held connection instead of one from ``pool`` each time.

        Bulk work holds one connection per worker: giving it back to the pool after each
        short transaction costs a reset round trip as long as the transaction itself.
        """
        self._pool = pool
        self._on_commit = on_commit
        self._held = conn
        self._conn: PoolConnectionProxy[asyncpg.Record] | None = None
        self._tx: asyncpg.transaction.Transaction | None = None
        self._committed = False

    @property
    def conn(self) -> PoolConnectionProxy[asyncpg.Record]:
        assert self._conn is not None, "use the unit of work in `async with`"
        return self._conn

    async def __aenter__(self) -> Self:
        self._conn = self._held or await self._pool.acquire()
        self._tx = self._conn.transaction()
        await self._tx.start()
        self._committed = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None and self._tx is not None
        try:
            if not self._committed:
                await self._tx.rollback()
        finally:
            if self._held is None:
                await self._pool.release(self._conn)
            self._conn = None
        if self._committed:
            self._on_commit()

    async def commit(self) -> None:
        assert self._tx is not None
        await self._tx.commit()
        self._committed = True
        await self.after_commit()

    async def after_commit(self) -> None:
        """Work that must follow a successful commit (none by default)."""
