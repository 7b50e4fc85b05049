"""Retention (SPEC A2): rows past their log's period go, daily, without blocking anyone.

Each statement deletes at most ``purge_batch`` rows found by the time index and commits
on its own, with a pause between statements: row locks are held for milliseconds and
only on rows nobody writes any more, inserts and queries never wait on them, and a large
backlog (a purge that did not run for weeks) drains in many small steps. Also purged:
exports past their 有効期間 and inbox entries whose messages have left their streams.

One replica purges at a time (advisory lock); ``maintenance_runs`` remembers the last run
so that restarts and replicas keep the daily rhythm.
"""

import asyncio
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg
import msgspec
import structlog

from libs.aio.tasks import cancel_and_wait
from libs.events.clock import Clock
from libs.events.projection import Projection, contexts_of
from libs.events.settings import EventSettings
from services.audit.logs import LOGS
from services.audit.settings import AuditOwn

log = structlog.get_logger("retention")

TASK = "purge"
_LOCK_KEY = zlib.crc32(b"fumidai-audit:purge")


@dataclass
class PurgeReport:
    deleted: dict[str, int] = field(default_factory=dict)
    """Rows deleted per log, ``exports`` and ``inbox``."""
    ran: bool = True
    """False when another replica held the purge."""


class Retention:
    """The daily purge of audit's logs, exports and inbox."""

    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        own: AuditOwn,
        events: EventSettings,
        projections: Sequence[Projection],
        clock: Clock,
    ) -> None:
        self._pool = pool
        self._own = own
        self._events = events
        self._projections = projections
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def purge(self, now: datetime | None = None) -> PurgeReport:
        """Delete everything past retention as of ``now``; a no-op while another replica does."""
        now = now or self._clock()
        async with self._pool().acquire() as holder:
            if not await holder.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_KEY):
                return PurgeReport(ran=False)
            try:
                report = PurgeReport()
                for spec in LOGS.values():
                    cutoff = now - timedelta(days=spec.keep_days(self._own))
                    report.deleted[spec.key] = await self._drain(
                        f"""DELETE FROM {spec.table} WHERE ctid = ANY(ARRAY(
                                SELECT ctid FROM {spec.table} WHERE {spec.time} < $1
                                LIMIT $2))""",
                        cutoff,
                    )
                report.deleted["exports"] = await self._drain(
                    """DELETE FROM export_jobs WHERE job_id = ANY(ARRAY(
                           SELECT job_id FROM export_jobs WHERE expires_at < $1 LIMIT $2))""",
                    now,
                    batch=1,  # a job drags its file's chunks along: one file per statement
                )
                report.deleted["inbox"] = await self._purge_inbox(now)
                await holder.execute(
                    """INSERT INTO maintenance_runs (task, last_run_at, detail)
                       VALUES ($1, $2, $3::jsonb)
                       ON CONFLICT (task) DO UPDATE
                       SET last_run_at = EXCLUDED.last_run_at, detail = EXCLUDED.detail""",
                    TASK,
                    now,
                    msgspec.json.encode(report.deleted).decode(),
                )
            finally:
                try:
                    await holder.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
                except BaseException:
                    # Pooled connections are handed back as they are (libs/postgres/pool.py):
                    # one still holding the lock would stop every replica's purge.
                    holder.terminate()
                    raise
        log.info("purged", deleted=report.deleted)
        return report

    async def _purge_inbox(self, now: datetime) -> int:
        """Inbox ids of messages their stream no longer holds: they cannot be redelivered."""
        deleted = 0
        for projection in self._projections:
            ages = [self._events.stream_max_age_days(c) for c in contexts_of(projection)]
            if 0 in ages:
                # A stream kept forever (decision 0036) may deliver any of its ids again:
                # its projections keep every inbox id.
                continue
            days = max(ages)
            # A day of margin past the stream's age: the id was applied after it was
            # published, so it left the stream by applied_at + max_age at the latest.
            cutoff = now - timedelta(days=days + 1)
            deleted += await self._drain(
                """DELETE FROM inbox WHERE projection = $3 AND event_id = ANY(ARRAY(
                       SELECT event_id FROM inbox WHERE projection = $3 AND applied_at < $1
                       LIMIT $2))""",
                cutoff,
                extra=(projection.name,),
            )
        return deleted

    async def _drain(
        self, sql: str, cutoff: datetime, *, batch: int = 0, extra: tuple[object, ...] = ()
    ) -> int:
        """Run a bounded DELETE until it deletes less than a batch; return rows deleted."""
        size = batch or self._own.purge_batch
        total = 0
        while True:
            status = await self._pool().execute(sql, cutoff, size, *extra)
            count = int(status.split()[-1])
            total += count
            if count < size or self._stopping:
                return total
            await asyncio.sleep(self._own.purge_pause_s)

    # -- the schedule --------------------------------------------------------------------

    async def due(self) -> bool:
        """Whether a day (``purge_every_s``) has passed since the last purge."""
        last = await self._pool().fetchval(
            "SELECT last_run_at FROM maintenance_runs WHERE task = $1", TASK
        )
        return last is None or self._clock() - last >= timedelta(seconds=self._own.purge_every_s)

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="audit-retention")

    async def stop(self) -> None:
        self._stopping = True
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                if await self.due():
                    await self.purge()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # retry at the next check
                log.warning("purge_failed", error=repr(error))
            await asyncio.sleep(self._own.purge_check_s)
