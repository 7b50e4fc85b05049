"""Full exports of a log (SPEC A5 beyond): queued jobs, written in chunks, kept 3 days.

A job records the query as it stood when asked for. A worker in each replica claims
queued jobs one at a time and writes each job's file; any replica serves the download.
A job whose worker went silent for ``export_lease_s`` is taken over; after three attempts
it fails. The queue is ``libs.postgres.job_queue``'s, as for identity's CSV jobs
(decision 0035).
"""

import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

import structlog

from libs.events.clock import Clock
from libs.postgres.job_queue import Claim, LeaseLost
from services.audit.contract import ExportJob
from services.audit.domain.exports import (
    StoredQuery,
    check_downloadable,
    export_job,
    export_not_found,
)
from services.audit.domain.queries import Query, Record
from services.audit.settings import AuditOwn

log = structlog.get_logger("exports")

BEATS_PER_LEASE = 3
"""A worker renews its lease this often per ``export_lease_s``: one late beat is no loss."""


class ExportJobs(Protocol):
    """Where jobs and their files are kept (``adapters.export_store``)."""

    async def insert(
        self, query: StoredQuery, facility: str, requested_by: str, now: datetime
    ) -> Record: ...

    async def listed(
        self, facility: str, now: datetime, status: str | None
    ) -> Sequence[Record]: ...

    async def find(self, facility: str, job_id: uuid.UUID) -> Record | None: ...

    def chunks(self, job_id: uuid.UUID) -> AsyncIterator[bytes]: ...


class ExportFiles(Protocol):
    """How a claimed job's file is written and its end recorded (``adapters.export_store``)."""

    def exhausted(self, claim: Claim) -> bool: ...

    def claimed_query(self, claim: Claim) -> Query: ...

    async def write(self, claim: Claim, query: Query, beat_every_s: float) -> tuple[int, int]: ...

    async def settle(self, claim: Claim, status: str, values: Mapping[str, object]) -> None: ...


class Exports:
    """Requests, lists and serves full exports of one facility at a time."""

    def __init__(self, jobs: ExportJobs, wake: Callable[[], None], clock: Clock) -> None:
        self._jobs = jobs
        self._wake = wake
        self._clock = clock

    async def request(self, query: Query, requested_by: str) -> ExportJob:
        """Queue a full export of ``query``; the worker picks it up at once."""
        now = self._clock()
        record = await self._jobs.insert(
            StoredQuery.of(query, now), query.facility, requested_by, now
        )
        self._wake()
        return export_job(record, now)

    async def list_jobs(self, facility: str, status: str | None = None) -> list[ExportJob]:
        """The facility's jobs still listed (not past 有効期間), newest first."""
        now = self._clock()
        return [
            export_job(record, now) for record in await self._jobs.listed(facility, now, status)
        ]

    async def get(self, facility: str, job_id: str) -> ExportJob:
        """One job of the facility; 404 for another facility's, as for a missing one (T3)."""
        try:
            key = uuid.UUID(job_id)
        except ValueError:
            raise export_not_found() from None
        record = await self._jobs.find(facility, key)
        if record is None:
            raise export_not_found()
        return export_job(record, self._clock())

    async def open(self, facility: str, job_id: str) -> tuple[ExportJob, AsyncIterator[bytes]]:
        """A finished, still valid job and its file, chunk by chunk."""
        job = await self.get(facility, job_id)
        check_downloadable(job, self._clock())
        return job, self._jobs.chunks(uuid.UUID(job.id))


class ExportWriter:
    """Writes one claimed job's file: 完了, or 失敗 after too many attempts or on any error."""

    def __init__(self, files: ExportFiles, own: AuditOwn, clock: Clock) -> None:
        self._files = files
        self._own = own
        self._clock = clock

    async def export(self, claim: Claim) -> None:
        job_id = str(claim.key)
        if self._files.exhausted(claim):
            await self._settle(claim, "failed", error="too many attempts")
            return
        try:
            size, rows = await self._files.write(
                claim,
                self._files.claimed_query(claim),
                beat_every_s=self._own.export_lease_s / BEATS_PER_LEASE,
            )
        except LeaseLost:
            log.warning("export_lease_lost", job_id=job_id)
            return
        except Exception as error:
            log.error("export_failed", job_id=job_id, error=repr(error))
            await self._settle(claim, "failed", error=repr(error))
            return
        await self._settle(claim, "done", size_bytes=size, row_count=rows)
        log.info("export_done", job_id=job_id, rows=rows, bytes=size)

    async def _settle(self, claim: Claim, status: str, **values: object) -> None:
        """完了 or 失敗, listed for 有効期間."""
        done = self._clock()
        values |= {
            "completed_at": done,
            "expires_at": done + timedelta(days=self._own.export_keep_days),
        }
        await self._files.settle(claim, status, values)
