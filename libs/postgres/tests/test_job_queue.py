"""The shared job queue on a real PostgreSQL: claiming, leases, take-over, release."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from libs.events.correlation import current_correlation, well_formed
from libs.postgres.job_queue import Claim, JobQueue, LeaseLost, Worker, keep_leased

TABLE = """CREATE TABLE jobs (
    job_id text PRIMARY KEY,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    heartbeat_at timestamptz,
    claim text,
    started_at timestamptz,
    done_rows integer NOT NULL DEFAULT 0,
    note text)"""

QUEUE = JobQueue(
    table="jobs",
    returning="note",
    lease_s=30.0,
    on_claim="started_at = coalesce(started_at, now())",
)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    assert pool is not None
    await pool.execute(TABLE)
    try:
        yield pool
    finally:
        await pool.close()


async def queued(pool: asyncpg.Pool, *names: str, age_s: int = 0) -> None:
    for n, name in enumerate(names):
        await pool.execute(
            """INSERT INTO jobs (job_id, status, created_at, note)
               VALUES ($1, 'queued', now() - make_interval(secs => $2), $1)""",
            name,
            age_s + len(names) - n,
        )


async def row(pool: asyncpg.Pool, job_id: str) -> asyncpg.Record:
    found = await pool.fetchrow("SELECT * FROM jobs WHERE job_id = $1", job_id)
    assert found is not None
    return found


async def test_jobs_are_claimed_oldest_first_and_each_by_one_worker(pool: asyncpg.Pool) -> None:
    await queued(pool, "a", "b", "c")
    claims: list[Claim | None] = []

    async def take() -> None:
        async with pool.acquire() as conn, conn.transaction():
            claims.append(await QUEUE.claim(conn))
            await asyncio.sleep(0.2)  # hold the row lock: the others must skip it, not wait

    await asyncio.gather(take(), take(), take(), take())
    taken = [c for c in claims if c is not None]
    assert sorted(c.key for c in taken) == ["a", "b", "c"] and claims.count(None) == 1
    first = await row(pool, "a")
    assert (first["status"], first["attempts"], first["started_at"] is not None) == (
        "running",
        1,
        True,
    )
    assert {c.row["note"] for c in taken} == {"a", "b", "c"}


async def test_a_silent_workers_job_is_taken_over_and_its_writes_refused(
    pool: asyncpg.Pool,
) -> None:
    await queued(pool, "a")
    async with pool.acquire() as conn:
        old = await QUEUE.claim(conn)
        assert old is not None
        assert await QUEUE.claim(conn) is None  # its lease holds
        await conn.execute("UPDATE jobs SET heartbeat_at = now() - interval '31 seconds'")
        new = await QUEUE.claim(conn)
        assert new is not None and new.key == "a" and new.attempts == 2
        assert not await QUEUE.beat(conn, old, {"done_rows": 9})
        assert not await QUEUE.settle(conn, old, "done", {})
        assert await QUEUE.beat(conn, new, {"done_rows": 5})
        assert await QUEUE.settle(conn, new, "done", {"note": "finished"})
    done = await row(pool, "a")
    assert (done["status"], done["done_rows"], done["note"]) == ("done", 5, "finished")


async def test_a_released_job_is_queued_again_with_its_attempt_refunded(
    pool: asyncpg.Pool,
) -> None:
    await queued(pool, "a")
    async with pool.acquire() as conn:
        claim = await QUEUE.claim(conn)
        assert claim is not None
        await QUEUE.release(conn, claim)
        again = await QUEUE.claim(conn)
    assert again is not None and again.attempts == 1
    assert not QUEUE.exhausted(again)
    assert QUEUE.exhausted(Claim("a", QUEUE.max_attempts + 1, "t", {}))


async def test_keep_leased_beats_with_progress_and_returns_the_result(
    pool: asyncpg.Pool,
) -> None:
    await queued(pool, "a")
    async with pool.acquire() as conn:
        claim = await QUEUE.claim(conn)
    assert claim is not None
    done = [0]

    async def work() -> str:
        for _ in range(5):
            done[0] += 1
            await asyncio.sleep(0.05)
        return "file"

    result = await keep_leased(
        QUEUE, pool, claim, work(), every_s=0.02, progress=lambda: {"done_rows": done[0]}
    )
    assert result == "file"
    assert (await row(pool, "a"))["done_rows"] > 0


async def test_keep_leased_stops_the_work_when_the_lease_is_lost(pool: asyncpg.Pool) -> None:
    await queued(pool, "a")
    async with pool.acquire() as conn:
        claim = await QUEUE.claim(conn)
    assert claim is not None
    await pool.execute("UPDATE jobs SET claim = 'another worker'")
    finished = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(5)
        finished.set()

    with pytest.raises(LeaseLost):
        await keep_leased(QUEUE, pool, claim, work(), every_s=0.02)
    assert not finished.is_set()


async def test_a_job_in_hand_at_shutdown_goes_back_to_the_queue(pool: asyncpg.Pool) -> None:
    await queued(pool, "a")
    async with pool.acquire() as conn:
        claim = await QUEUE.claim(conn)
    assert claim is not None
    running = asyncio.create_task(keep_leased(QUEUE, pool, claim, asyncio.sleep(5), every_s=0.02))
    await asyncio.sleep(0.1)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    back = await row(pool, "a")
    assert (back["status"], back["attempts"], back["claim"]) == ("queued", 0, None)


async def test_the_worker_runs_every_waiting_job_and_outlives_a_failure(
    pool: asyncpg.Pool,
) -> None:
    handled: list[str] = []

    async def handle(claim: Claim) -> None:
        handled.append(claim.key)
        if claim.key == "a":
            raise RuntimeError("boom")  # outside any job's own error handling
        async with pool.acquire() as conn:
            await QUEUE.settle(conn, claim, "done", {})

    worker = Worker("test", QUEUE, lambda: pool, handle, poll_s=0.05)
    task = asyncio.create_task(worker.run())
    try:
        await queued(pool, "a", "b")
        worker.wake()
        for _ in range(100):
            if "b" in handled:
                break
            await asyncio.sleep(0.05)
    finally:
        worker.stop()
        await asyncio.wait_for(task, 5)
    assert handled[:2] == ["a", "b"]
    assert (await row(pool, "b"))["status"] == "done"


async def test_a_job_runs_under_the_correlation_its_row_keeps_else_its_own(
    pool: asyncpg.Pool,
) -> None:
    """Decision 0045: a job's log lines and events share one id, the queuing request's
    when the table keeps it."""
    kept = JobQueue(table="jobs", returning="note, note AS correlation_id", lease_s=30.0)
    seen: dict[str, str | None] = {}

    async def handle(claim: Claim) -> None:
        seen[claim.key] = current_correlation()
        async with pool.acquire() as conn:
            await kept.settle(conn, claim, "done", {})

    await queued(pool, "request-77")
    assert await Worker("test", kept, lambda: pool, handle, poll_s=0.05).run_one()
    await queued(pool, "not an id", "a")
    plain = Worker("test", QUEUE, lambda: pool, handle, poll_s=0.05)
    assert await Worker("test", kept, lambda: pool, handle, poll_s=0.05).run_one()
    assert await plain.run_one()
    assert seen["request-77"] == "request-77"
    assert seen["not an id"] != "not an id" and well_formed(seen["not an id"])
    assert well_formed(seen["a"]) and seen["a"] != seen["not an id"]
    assert current_correlation() is None
