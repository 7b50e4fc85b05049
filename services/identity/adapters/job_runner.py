"""出力一覧's jobs (SPEC U6): exports and imports run in the background of the service.

A driving adapter, as ``api/`` is: the job queue's worker, which runs the import use case
(``app/user_import``) with its ports built here, and writes exports itself (a snapshot
of the facility's users, formatted by ``domain/csv_format``).

``JobRunner.run`` is a loop the app starts with it: a ``libs.postgres.job_queue`` worker
that claims one job at a time (the oldest queued one, or a running one whose worker died),
runs it while beating a heartbeat with its progress every half second, and stores its
file. On shutdown the job in hand goes back to the queue; after a crash its stale
heartbeat lets the next worker resume it (imports skip the rows they already applied). A
job taken over more than three times fails instead of looping forever.
"""

import time
from collections.abc import Callable

import asyncpg
import structlog

from libs.events.clock import Clock, system_clock
from libs.postgres.job_queue import Claim, LeaseLost, Worker, keep_leased
from libs.runtime.problems import DomainError
from services.identity.adapters import jobs as store
from services.identity.adapters.file_seal import FileSeal
from services.identity.adapters.import_lanes import import_lanes
from services.identity.adapters.postgres import Facility, PostgresUnitOfWork, facility_by_id
from services.identity.adapters.user_reads import count_users, export_batches
from services.identity.app.import_ports import Progress
from services.identity.app.password_ports import Passwords
from services.identity.app.user_import import UserImport
from services.identity.domain import csv_format as fmt
from services.identity.settings import IdentityOwn

log = structlog.get_logger("jobs")

HEARTBEAT_S = 0.5
PURGE_EVERY_S = 60.0


def result_context(job_id: str) -> str:
    """Associated data of a sealed result file: it opens only as this job's."""
    return f"job:{job_id}"


class JobRunner:
    """Claims and runs export and import jobs, one at a time per process."""

    def __init__(
        self,
        *,
        pool: Callable[[], asyncpg.Pool],
        dsn: str,
        on_commit: Callable[[], None],
        own: IdentityOwn,
        seal: FileSeal,
        passwords: Passwords,
        poll_s: float = 1.0,
        now: Clock = system_clock,
    ) -> None:
        self._pool = pool
        self._dsn = dsn
        self._on_commit = on_commit
        self._own = own
        self._seal = seal
        self._passwords = passwords
        self._now = now
        self._purged_at = 0.0
        self._worker = Worker(
            "identity-jobs",
            store.QUEUE,
            pool,
            self.execute,
            poll_s=poll_s,
            before_claim=self._purge,
        )

    def wake(self) -> None:
        """A job was queued here: look now rather than at the next poll."""
        self._worker.wake()

    async def run(self) -> None:
        await self._worker.run()

    async def _purge(self) -> None:
        if time.monotonic() - self._purged_at <= PURGE_EVERY_S:
            return
        async with self._pool().acquire() as conn:
            purged = await store.purge_expired(conn, self._now())
        self._purged_at = time.monotonic()
        if purged:
            log.info("jobs_purged", jobs=purged)

    async def execute(self, claim: Claim) -> None:
        """Run one claimed job to 完了 or 失敗, beating while it runs."""
        job = store.claimed(claim)
        progress = Progress()
        if store.QUEUE.exhausted(claim):
            await self._fail(job, progress, "job_interrupted")
            return
        log.info("job_started", job_id=job.job_id, kind=job.kind, attempt=job.attempts)
        try:
            content, sealed = await keep_leased(
                store.QUEUE,
                self._pool(),
                claim,
                self._work(job, progress),
                every_s=HEARTBEAT_S,
                progress=lambda: store.progress_values(progress),
            )
        except LeaseLost:
            log.warning("job_claim_lost", job_id=job.job_id)
            return
        except DomainError as error:
            await self._fail(job, progress, error.code)
            log.info("job_failed", job_id=job.job_id, code=error.code)
            return
        except Exception as error:
            log.error("job_crashed", job_id=job.job_id, error=repr(error), exc_info=error)
            await self._fail(job, progress, "job_failed")
            return
        async with self._pool().acquire() as conn:
            await store.finish(
                conn,
                job,
                progress,
                result=content,
                sealed=sealed,
                keep_days=self._own.export_keep_days,
                now=self._now(),
            )
        log.info("job_done", job_id=job.job_id, kind=job.kind, rows=progress.done)

    async def _fail(self, job: store.Claimed, progress: Progress, code: str) -> None:
        async with self._pool().acquire() as conn:
            await store.fail(
                conn,
                job,
                progress,
                code=code,
                keep_days=self._own.export_keep_days,
                now=self._now(),
            )

    async def _work(self, job: store.Claimed, progress: Progress) -> tuple[bytes, bool]:
        pool = self._pool()
        async with pool.acquire() as conn:
            facility = await facility_by_id(conn, job.facility_id)
        assert facility is not None, "jobs belong to registered facilities"
        if job.kind == "user_export":
            return await self._export(facility, progress), False
        return await self._import(job, facility, progress), True

    async def _export(self, facility: Facility, progress: Progress) -> bytes:
        """「全件CSV出力」: every user of the facility, whatever the search (one snapshot)."""
        writer = fmt.CsvWriter(fmt.COLUMNS)
        async with (
            self._pool().acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            progress.total = await count_users(conn, facility.facility_id)
            async for rows in export_batches(conn, facility.facility_id):
                for row in rows:
                    writer.row(fmt.export_cells(*row))
                progress.done += len(rows)
        return writer.encode()

    async def _import(self, job: store.Claimed, facility: Facility, progress: Progress) -> bytes:
        async with self._pool().acquire() as conn:
            raw = await store.job_input(conn, job.job_id)
        table = fmt.read_table(fmt.decode_upload(raw), max_rows=self._own.csv_max_rows)
        result = await UserImport(
            job_id=job.job_id,
            facility=facility,
            actor=job.actor,
            uow=lambda: PostgresUnitOfWork(self._pool(), self._on_commit),
            lanes=import_lanes(self._dsn, self._on_commit),
            workers=self._own.csv_import_workers,
            seal=self._seal,
            passwords=self._passwords,
            progress=progress,
            now=self._now,
        ).run(table)
        return self._seal.seal(result, result_context(job.job_id))
