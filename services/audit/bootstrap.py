"""audit's composition root: its backbone, adapters, use cases and workers, wired once."""

import asyncio
from pathlib import Path

import asyncpg
from litestar import Litestar

from libs.aio.tasks import cancel_and_wait
from libs.events.clock import Clock, system_clock
from libs.postgres.job_queue import Worker
from libs.runtime.app import CONSISTENCY_WAIT_S, provided
from libs.runtime.backbone import service_backbone
from services.audit.adapters.export_store import PostgresExports, export_queue
from services.audit.adapters.log_reads import PostgresLogReads
from services.audit.adapters.retention_store import PostgresRetention
from services.audit.app.exports import Exports, ExportWriter
from services.audit.app.log_queries import LogQueries
from services.audit.app.retention import Retention
from services.audit.bus import RIGHTS
from services.audit.consumers import PROJECTIONS
from services.audit.http import create_app
from services.audit.settings import SERVICE, AuditOwn, AuditSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

__all__ = ["SERVICE", "bootstrap"]


class Workers:
    """The export worker and the scheduled purge, started after the backbone and stopped
    before it."""

    def __init__(self, exports: Worker, retention: Retention, own: AuditOwn) -> None:
        self._exports = exports
        self._retention = retention
        self._own = own
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._exports.run(), name="audit-exports")
        if self._own.purge_enabled:
            self._retention.start()

    async def stop(self) -> None:
        await self._retention.stop()
        self._exports.stop()
        await cancel_and_wait(self._task)
        self._task = None


def bootstrap(settings: AuditSettings, clock: Clock = system_clock) -> Litestar:
    """Wire audit's backbone, projections and workers into its HTTP app."""
    own = settings.own
    # audit writes no events of its own: it only projects others'
    backbone = service_backbone(
        SERVICE, settings, MIGRATIONS, projections=PROJECTIONS, rights=RIGHTS, relay=False
    )

    # The pool opens when the app starts: adapters get how to reach it, not the pool.
    def pool() -> asyncpg.Pool:
        return backbone.pool

    queue = export_queue(own.export_lease_s)
    store = PostgresExports(pool, queue, own.export_chunk_bytes)
    writer = ExportWriter(store, own, clock)
    worker = Worker("audit-exports", queue, pool, writer.export, poll_s=own.export_poll_s)
    queries = LogQueries(PostgresLogReads(pool), own, clock, CONSISTENCY_WAIT_S)
    exports = Exports(store, worker.wake, clock)
    retention = Retention(PostgresRetention(pool), own, settings.events, PROJECTIONS, clock)
    workers = Workers(worker, retention, own)
    return create_app(
        backbone,
        {
            "queries": provided(lambda: queries),
            "exports": provided(lambda: exports),
            "retention": provided(lambda: retention),
        },
        on_startup=[workers.start],
        on_shutdown=[workers.stop],
    )
