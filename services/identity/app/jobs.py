"""出力一覧's jobs (SPEC U6): exports and imports run in the background of the service.

``JobRunner.run`` is a loop the app starts with it: it claims one job at a time (the
oldest queued one, or a running one whose worker died, see ``adapters/jobs.py``), runs
it while beating a heartbeat with its progress every half second, and stores its file.
On shutdown the job in hand goes back to the queue; after a crash its stale heartbeat
lets the next worker resume it (imports skip the rows they already applied). A job
taken over more than ``MAX_ATTEMPTS`` times fails instead of looping forever.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable

import asyncpg
import structlog

from libs.events.clock import Clock, system_clock
from libs.runtime.problems import DomainError
from services.identity.adapters import jobs as store
from services.identity.adapters.file_seal import FileSeal
from services.identity.adapters.postgres import Facility, facility_by_id
from services.identity.adapters.user_reads import count_users, export_batches
from services.identity.app.user_import import UserImport
from services.identity.domain import csv_format as fmt
from services.identity.settings import IdentityOwn

log = structlog.get_logger("jobs")

MAX_ATTEMPTS = 3
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
        poll_s: float = 1.0,
        stale_after_s: float = 30.0,
        now: Clock = system_clock,
    ) -> None:
        self._pool = pool
        self._dsn = dsn
        self._on_commit = on_commit
        self._own = own
        self._seal = seal
        self._poll_s = poll_s
        self._stale_after_s = stale_after_s
        self._now = now
        self._wake = asyncio.Event()
        self._purged_at = 0.0

    def wake(self) -> None:
        """A job was queued here: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            if time.monotonic() - self._purged_at > PURGE_EVERY_S:
                async with self._pool().acquire() as conn:
                    purged = await store.purge_expired(conn, self._now())
                self._purged_at = time.monotonic()
                if purged:
                    log.info("jobs_purged", jobs=purged)
            self._wake.clear()
            async with self._pool().acquire() as conn:
                job = await store.claim_next(conn, self._stale_after_s)
            if job is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_s)
                continue
            await self.execute(job)

    async def execute(self, job: store.Claimed) -> None:
        """Run one claimed job to 完了 or 失敗, beating while it runs."""
        progress = store.Progress()
        pool = self._pool()
        keep = self._own.export_keep_days
        if job.attempts > MAX_ATTEMPTS:
            async with pool.acquire() as conn:
                await store.fail(
                    conn, job, progress, code="job_interrupted", keep_days=keep, now=self._now()
                )
            return
        log.info("job_started", job_id=job.job_id, kind=job.kind, attempt=job.attempts)
        work = asyncio.create_task(self._work(job, progress), name=f"job-{job.job_id}")
        try:
            while not work.done():
                await asyncio.wait({work}, timeout=HEARTBEAT_S)
                if not work.done():
                    async with pool.acquire() as conn:
                        if not await store.beat(conn, job, progress):
                            log.warning("job_claim_lost", job_id=job.job_id)
                            work.cancel()
                            return
            content, sealed = work.result()
        except asyncio.CancelledError:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            async with pool.acquire() as conn:
                await store.release(conn, job)
            raise
        except DomainError as error:
            async with pool.acquire() as conn:
                await store.fail(
                    conn, job, progress, code=error.code, keep_days=keep, now=self._now()
                )
            log.info("job_failed", job_id=job.job_id, code=error.code)
            return
        except Exception as error:
            log.error("job_crashed", job_id=job.job_id, error=repr(error), exc_info=error)
            async with pool.acquire() as conn:
                await store.fail(
                    conn, job, progress, code="job_failed", keep_days=keep, now=self._now()
                )
            return
        async with pool.acquire() as conn:
            await store.finish(
                conn, job, progress, result=content, sealed=sealed, keep_days=keep, now=self._now()
            )
        log.info("job_done", job_id=job.job_id, kind=job.kind, rows=progress.done)

    async def _work(self, job: store.Claimed, progress: store.Progress) -> tuple[bytes, bool]:
        pool = self._pool()
        async with pool.acquire() as conn:
            facility = await facility_by_id(conn, job.facility_id)
        assert facility is not None, "jobs belong to registered facilities"
        if job.kind == "user_export":
            return await self._export(facility, progress), False
        return await self._import(job, facility, progress), True

    async def _export(self, facility: Facility, progress: store.Progress) -> bytes:
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

    async def _import(
        self, job: store.Claimed, facility: Facility, progress: store.Progress
    ) -> bytes:
        async with self._pool().acquire() as conn:
            raw = await store.job_input(conn, job.job_id)
        table = fmt.read_table(fmt.decode_upload(raw), max_rows=self._own.csv_max_rows)
        result = await UserImport(
            job_id=job.job_id,
            facility=facility,
            actor=job.actor,
            pool=self._pool(),
            dsn=self._dsn,
            workers=self._own.csv_import_workers,
            on_commit=self._on_commit,
            seal=self._seal,
            progress=progress,
            now=self._now,
        ).run(table)
        return self._seal.seal(result, result_context(job.job_id))
