"""Retention (SPEC A2): rows past their log's period go, daily, without blocking anyone.

Each statement deletes at most ``purge_batch`` rows and commits on its own, with a pause
between statements: inserts and queries never wait on the purge, and a large backlog (a
purge that did not run for weeks) drains in many small steps. Also purged: exports past
their 有効期間 and inbox entries whose messages have left their streams. One replica
purges at a time; the last run is remembered so that restarts and replicas keep the
daily rhythm.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from functools import partial
from typing import Protocol

import structlog

from libs.aio.tasks import cancel_and_wait
from libs.events.clock import Clock
from libs.events.projection import Projection, contexts_of
from libs.events.settings import EventSettings
from services.audit.domain.logs import LOGS, LogSpec
from services.audit.domain.retention import PurgeReport, inbox_cutoff, log_cutoff, purge_due
from services.audit.settings import AuditOwn

log = structlog.get_logger("retention")


class RetentionStore(Protocol):
    """The purge's statements (``adapters.retention_store``); each deletes one batch."""

    def held(self) -> AbstractAsyncContextManager[bool]: ...

    async def delete_log_rows(self, spec: LogSpec, cutoff: datetime, batch: int) -> int: ...

    async def delete_expired_exports(self, now: datetime, batch: int) -> int: ...

    async def delete_inbox(self, projection: str, cutoff: datetime, batch: int) -> int: ...

    async def record_run(self, now: datetime, deleted: dict[str, int]) -> None: ...

    async def last_run(self) -> datetime | None: ...


class Retention:
    """The daily purge of audit's logs, exports and inbox."""

    def __init__(
        self,
        store: RetentionStore,
        own: AuditOwn,
        events: EventSettings,
        projections: Sequence[Projection],
        clock: Clock,
    ) -> None:
        self._store = store
        self._own = own
        self._events = events
        self._projections = projections
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def purge(self, now: datetime | None = None) -> PurgeReport:
        """Delete everything past retention as of ``now``; a no-op while another replica does."""
        now = now or self._clock()
        async with self._store.held() as held:
            if not held:
                return PurgeReport(ran=False)
            report = PurgeReport()
            for spec in LOGS.values():
                cutoff = log_cutoff(self._own.keep_days(spec.key), now)
                report.deleted[spec.key] = await self._drain(
                    partial(self._store.delete_log_rows, spec, cutoff)
                )
            report.deleted["exports"] = await self._drain(
                partial(self._store.delete_expired_exports, now),
                batch=1,  # a job drags its file's chunks along: one file per statement
            )
            report.deleted["inbox"] = await self._purge_inbox(now)
            await self._store.record_run(now, report.deleted)
        log.info("purged", deleted=report.deleted)
        return report

    async def _purge_inbox(self, now: datetime) -> int:
        """Inbox ids of messages their stream no longer holds: they cannot be redelivered."""
        deleted = 0
        for projection in self._projections:
            ages = [self._events.stream_max_age_days(c) for c in contexts_of(projection)]
            cutoff = inbox_cutoff(ages, now)
            if cutoff is None:
                continue
            deleted += await self._drain(partial(self._store.delete_inbox, projection.name, cutoff))
        return deleted

    async def _drain(self, delete: Callable[[int], Awaitable[int]], *, batch: int = 0) -> int:
        """Delete batch after batch until one deletes less than a batch; return rows deleted."""
        size = batch or self._own.purge_batch
        total = 0
        while True:
            count = await delete(size)
            total += count
            if count < size or self._stopping:
                return total
            await asyncio.sleep(self._own.purge_pause_s)

    # -- the schedule --------------------------------------------------------------------

    async def due(self) -> bool:
        """Whether a day (``purge_every_s``) has passed since the last purge."""
        return purge_due(await self._store.last_run(), self._clock(), self._own.purge_every_s)

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
