"""One job queue for every service's background jobs, each in the service's own table.

A worker claims the oldest queued job, or a running one whose lease ran out (its worker
died), in one ``UPDATE … WHERE key = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)``:
replicas never take the same job and never wait for each other. Each claim gets a fresh
token that every later write names, so a worker that lost its lease can no longer write.
While a job runs its worker beats (``heartbeat_at = now()``: the database's clock, one for
all replicas); a job claimed more than ``max_attempts`` times is given up by its caller
instead of looping forever; on shutdown the job in hand goes back to the queue with its
attempt refunded. Why ours and not a library: docs/decisions/0035-one-job-queue.md.

The table needs: the key column, ``status`` text (``queued``, ``running``, then whatever
the service settles on), ``created_at``, ``attempts`` integer, ``heartbeat_at``
timestamptz and ``claim`` text. A ``correlation_id`` among the columns a worker reads (the
request's that queued the job, ``libs.events.correlation``) is the one its job runs under.
"""

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import structlog

from libs.events.correlation import correlated, new_correlation, well_formed
from libs.postgres.connection import Connection

T = TypeVar("T")
Values = Mapping[str, object]
"""Columns to write and their values; the names come from code, never from input."""

log = structlog.get_logger("job_queue")


class LeaseLost(Exception):
    """Another worker took the job over (this one was too slow to beat): stop writing."""


@dataclass(frozen=True)
class Claim:
    """A job this worker now runs: its key, its row as asked for, and its claim token."""

    key: Any
    attempts: int
    token: str
    row: Mapping[str, Any]


@dataclass(frozen=True)
class JobQueue:
    """The queue over one table; ``returning`` lists the columns a worker needs."""

    table: str
    returning: str
    lease_s: float
    max_attempts: int = 3
    key: str = "job_id"
    on_claim: str = ""
    """Extra ``SET`` items of a claim, e.g. ``started_at = coalesce(started_at, now())``."""

    async def claim(self, conn: Connection) -> Claim | None:
        """Take the oldest queued job, or a running one whose lease ran out."""
        token = secrets.token_hex(8)
        extra = f", {self.on_claim}" if self.on_claim else ""
        row = await conn.fetchrow(
            f"""UPDATE {self.table} SET status = 'running', heartbeat_at = now(),
                       attempts = attempts + 1, claim = $2{extra}
                WHERE {self.key} = (
                    SELECT {self.key} FROM {self.table}
                    WHERE status = 'queued'
                       OR (status = 'running'
                           AND heartbeat_at < now() - make_interval(secs => $1))
                    ORDER BY created_at LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                RETURNING {self.key} AS job_key, attempts, {self.returning}""",
            self.lease_s,
            token,
        )
        if row is None:
            return None
        return Claim(row["job_key"], row["attempts"], token, dict(row))

    def exhausted(self, claim: Claim) -> bool:
        """Claimed too often (its workers kept dying): fail it rather than try again."""
        return claim.attempts > self.max_attempts

    async def beat(self, conn: Connection, claim: Claim, values: Values | None = None) -> bool:
        """Renew the lease, writing ``values`` (progress) too; False when it was lost."""
        return await self._update(conn, claim, "heartbeat_at = now()", values or {})

    async def settle(self, conn: Connection, claim: Claim, status: str, values: Values) -> bool:
        """End the job in ``status`` with ``values``; False when the lease was lost."""
        return await self._update(conn, claim, "status = $3", values, status)

    async def release(self, conn: Connection, claim: Claim) -> None:
        """Put a job this worker will not finish back in the queue, attempt refunded."""
        await self._update(
            conn, claim, "status = 'queued', claim = NULL, attempts = attempts - 1", {}
        )

    async def _update(
        self, conn: Connection, claim: Claim, sets: str, values: Values, *first: object
    ) -> bool:
        base = 3 + len(first)
        assigned = [f"{name} = ${base + n}" for n, name in enumerate(values)]
        status = await conn.execute(
            f"""UPDATE {self.table} SET {", ".join([sets, *assigned])}
                WHERE {self.key} = $1 AND claim = $2 AND status = 'running'""",
            claim.key,
            claim.token,
            *first,
            *values.values(),
        )
        return bool(status == "UPDATE 1")


async def keep_leased(
    queue: JobQueue,
    pool: asyncpg.Pool,
    claim: Claim,
    work: Coroutine[Any, Any, T],
    *,
    every_s: float,
    progress: Callable[[], Values] = dict,
) -> T:
    """Run ``work`` while beating every ``every_s`` with its ``progress``.

    Raises ``LeaseLost`` (``work`` cancelled) when another worker took the job over. When
    this task is cancelled (shutdown) the job goes back to the queue for another worker.
    """
    task = asyncio.create_task(work, name=f"job-{claim.key}")
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=every_s)
            if task.done():
                break
            async with pool.acquire() as conn:
                if not await queue.beat(conn, claim, progress()):
                    raise LeaseLost(claim.key)
        return task.result()
    except BaseException as error:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        if isinstance(error, asyncio.CancelledError):
            await _release(queue, pool, claim)
        raise


async def _release(queue: JobQueue, pool: asyncpg.Pool, claim: Claim) -> None:
    # At shutdown: should the database be gone already, the lease runs out instead.
    try:
        async with pool.acquire() as conn:
            await queue.release(conn, claim)
    except Exception as error:
        log.warning("job_release_failed", job=str(claim.key), error=repr(error))


class Worker:
    """Runs one queue's jobs one at a time in this process: at once when woken, else
    every ``poll_s``. A failure outside a job is logged and the loop goes on."""

    def __init__(
        self,
        name: str,
        queue: JobQueue,
        pool: Callable[[], asyncpg.Pool],
        handle: Callable[[Claim], Awaitable[None]],
        *,
        poll_s: float,
        before_claim: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._name = name
        self._queue = queue
        self._pool = pool
        self._handle = handle
        self._poll_s = poll_s
        self._before_claim = before_claim
        self._wake = asyncio.Event()
        self._stopping = False

    def stop(self) -> None:
        """End ``run`` at its next turn (with a cancel: one racing a timeout can be lost)."""
        self._stopping = True
        self._wake.set()

    def wake(self) -> None:
        """A job was queued here: look now rather than at the next poll."""
        self._wake.set()

    async def run_one(self) -> bool:
        """Claim and handle one job; False when none waits."""
        if self._before_claim is not None:
            await self._before_claim()
        async with self._pool().acquire() as conn:
            claim = await self._queue.claim(conn)
        if claim is None:
            return False
        # One job, one story in the logs and events: the request's that queued it when the
        # table keeps it (a ``correlation_id`` among ``returning``), else the job's own.
        kept = claim.row.get("correlation_id")
        with correlated(kept if well_formed(kept) else new_correlation()):
            await self._handle(claim)
        return True

    async def run(self) -> None:
        self._stopping = False
        while not self._stopping:
            self._wake.clear()
            try:
                while await self.run_one():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the worker outlives any one failure
                log.warning("job_worker_error", worker=self._name, error=repr(error))
            await self._idle()

    async def _idle(self) -> None:
        # asyncio.wait, not a timeout: on Python 3.11 a cancel racing a timeout's expiry
        # can be swallowed, and a stop that is only a cancel would then never end the loop.
        waiter = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=self._poll_s)
        finally:
            waiter.cancel()
