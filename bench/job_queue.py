"""Benchmark of claim + complete throughput: ``libs.postgres.job_queue`` against pgqueuer.

Run on demand, not as a test (pgqueuer is not a dependency: install it beside to compare)::

    .venv/bin/python -m bench.job_queue                 # 2000 jobs, 4 workers, each queue
    .venv/bin/python -m bench.job_queue --jobs 500      # smaller

Both queues run on the same private PostgreSQL (or ``FUMIDAI_BENCH_DATABASE_URL`` with
``FUMIDAI_BENCH_NATS_URL``, as ``bench.events``), in a fresh database each, with the same
number of workers taking one job at a time and marking it done at once: the cost of the
queue itself, not of any work. The last line of stdout is one JSON object; see
``bench/README.md``.
"""

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg

from bench.events import admin, dsn_for, machine_reference_ms, servers
from libs.postgres.job_queue import JobQueue

OURS_TABLE = """CREATE TABLE bench_jobs (
    job_id text PRIMARY KEY,
    status text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    heartbeat_at timestamptz,
    claim text);
CREATE INDEX bench_jobs_pending ON bench_jobs (created_at) WHERE status IN ('queued', 'running')"""

Drain = Callable[[asyncpg.Connection], Awaitable[bool]]
"""Claims and completes one job on the connection; False when none was left."""


async def _timed(dsn: str, workers: int, drain: Drain) -> float:
    """Seconds until ``workers`` connections, each draining, find the queue empty."""
    conns = [await asyncpg.connect(dsn) for _ in range(workers)]

    async def worker(conn: asyncpg.Connection) -> None:
        while await drain(conn):
            pass

    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker(conn) for conn in conns))
        return time.perf_counter() - started
    finally:
        for conn in conns:
            await conn.close()


async def bench_ours(dsn: str, jobs: int, workers: int) -> float:
    queue = JobQueue(table="bench_jobs", returning="status", lease_s=30.0)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(OURS_TABLE)
        await conn.executemany(
            "INSERT INTO bench_jobs (job_id, status) VALUES ($1, 'queued')",
            [(str(uuid.uuid4()),) for _ in range(jobs)],
        )
    finally:
        await conn.close()

    async def drain(conn: asyncpg.Connection) -> bool:
        claim = await queue.claim(conn)
        if claim is None:
            return False
        assert await queue.settle(conn, claim, "done", {})
        return True

    return await _timed(dsn, workers, drain)


async def bench_pgqueuer(dsn: str, jobs: int, workers: int) -> float | None:
    try:
        from pgqueuer.queries import EntrypointExecutionParameter, Queries
    except ImportError:
        return None
    conn = await asyncpg.connect(dsn)
    try:
        queries = Queries.from_asyncpg_connection(conn)
        await queries.install()
        await queries.enqueue(["bench"] * jobs, [b""] * jobs, [0] * jobs)
    finally:
        await conn.close()
    wanted: Any = {"bench": EntrypointExecutionParameter(concurrency_limit=0)}

    async def drain(conn: asyncpg.Connection) -> bool:
        queries = Queries.from_asyncpg_connection(conn)
        picked = await queries.dequeue(
            batch_size=1,
            entrypoints=wanted,
            queue_manager_id=uuid.uuid4(),  # type: ignore[arg-type]
            global_concurrency_limit=None,
            heartbeat_timeout=timedelta(seconds=30),
        )
        if not picked:
            return False
        await queries.log_jobs([(job, "successful", None) for job in picked])
        return True

    return await _timed(dsn, workers, drain)


async def run(jobs: int, workers: int) -> dict[str, Any]:
    result: dict[str, Any] = {"bench": "job_queue", "jobs": jobs, "workers": workers}
    with servers() as found:
        for name, bench in (("ours", bench_ours), ("pgqueuer", bench_pgqueuer)):
            database = f"bench_queue_{name}"
            await admin(found.postgres_url, f"DROP DATABASE IF EXISTS {database}")
            await admin(found.postgres_url, f"CREATE DATABASE {database}")
            try:
                seconds = await bench(dsn_for(found.postgres_url, database), jobs, workers)
            finally:
                await admin(found.postgres_url, f"DROP DATABASE IF EXISTS {database}")
            rate = round(jobs / seconds, 1) if seconds else None
            result[f"{name}_jobs_per_s"] = rate
            print(f"{name:>9}: {rate} jobs/s (claim + complete)", flush=True)
    result["machine_reference_ms"] = round(machine_reference_ms(), 1)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.jobs, args.workers))))


if __name__ == "__main__":
    main()
