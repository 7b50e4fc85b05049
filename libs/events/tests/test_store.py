"""The event store: append, optimistic concurrency, reading, commit order."""

import asyncio
import uuid

import asyncpg
import pytest

from libs.events.store import (
    AppendOrderError,
    ConcurrencyConflict,
    Cursor,
    append,
    read_all,
    read_stream,
)
from libs.events.tests.probes import probe


async def test_append_then_read_stream_in_version_order(pool: asyncpg.Pool) -> None:
    aggregate = str(uuid.uuid4())
    async with pool.acquire() as conn:
        await append(conn, [probe(aggregate, 1, 1), probe(aggregate, 2, 2)])
        events = await read_stream(conn, aggregate)
    assert [e.version for e in events] == [1, 2]
    assert [e.data.seq for e in events] == [1, 2]  # type: ignore[union-attr]


async def test_stale_expected_version_is_refused_and_nothing_is_written(pool: asyncpg.Pool) -> None:
    aggregate = str(uuid.uuid4())
    async with pool.acquire() as conn:
        await append(conn, [probe(aggregate, 1)])
        with pytest.raises(ConcurrencyConflict):
            async with conn.transaction():
                await append(conn, [probe("other-" + aggregate, 1), probe(aggregate, 1)])
                await conn.execute("INSERT INTO facility_names VALUES ('x', 'y')")
        assert await conn.fetchval("SELECT count(*) FROM facility_names") == 0
        assert await conn.fetchval("SELECT count(*) FROM events") == 1


async def test_two_writers_on_one_version_one_wins(pool: asyncpg.Pool) -> None:
    aggregate = str(uuid.uuid4())

    async def write() -> bool:
        async with pool.acquire() as conn:
            try:
                await append(conn, [probe(aggregate, 1)])
            except ConcurrencyConflict:
                return False
            return True

    results = await asyncio.gather(*(write() for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]
    assert await pool.fetchval("SELECT count(*) FROM events") == 1


async def test_append_must_be_the_first_write_of_its_transaction(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(AppendOrderError):
            async with conn.transaction():
                await conn.execute("INSERT INTO facility_names VALUES ('x', 'y')")
                await append(conn, [probe(str(uuid.uuid4()), 1)])
        assert await conn.fetchval("SELECT count(*) FROM events") == 0


async def test_read_all_waits_behind_an_open_transaction(pool: asyncpg.Pool) -> None:
    """The commit-order gap: a later position committed first is held back, not skipped."""
    early = await pool.acquire()
    late = await pool.acquire()
    try:
        tx = early.transaction()
        await tx.start()
        await append(early, [probe("early", 1)])  # takes the smaller xid, stays open
        await append(late, [probe("late", 1)])  # commits at once
        assert await read_all(late) == []  # "late" is held back behind "early"
        await tx.commit()
        seen = [s.aggregate_id for s in await read_all(late)]
        assert seen == ["early", "late"]
        after_first = (await read_all(late))[0].cursor
        assert [s.aggregate_id for s in await read_all(late, after_first)] == ["late"]
        assert await read_all(late, Cursor(after_first.tx_id + 10**6, 0)) == []
    finally:
        await pool.release(early)
        await pool.release(late)


async def test_rolled_back_events_never_appear(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                await append(conn, [probe("doomed", 1)])
                raise RuntimeError("abort")
        await append(conn, [probe("kept", 1)])
        assert [s.aggregate_id for s in await read_all(conn)] == ["kept"]
