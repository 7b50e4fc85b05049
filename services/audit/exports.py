"""Full exports of a log (SPEC A5 beyond): queued jobs, written in chunks, kept 3 days.

A job records the query as it stood when asked for (a preset's open end becomes the time
of asking). A worker in each replica claims queued jobs one at a time (``SKIP LOCKED``)
and streams the rows with COPY into ``export_chunks``, a chunk at a time: memory stays
flat for any size, and any replica can serve the download. A job whose worker went
silent for ``export_lease_s`` is taken over; after three attempts it fails. The queue is
``libs.postgres.job_queue``'s, as for identity's CSV jobs.

Jobs have the shape of identity's exports so the gateway can list both in 「出力一覧」:
作成日時, 出力種別, ステータス (待機中 / 処理中 / 完了 / 失敗), ファイルサイズ, 完了日時, 有効期間.
"""

import asyncio
import math
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import asyncpg
import msgspec
import structlog

from libs.aio.tasks import cancel_and_wait
from libs.events.clock import Clock
from libs.postgres.job_queue import Claim, JobQueue, LeaseLost, Worker, keep_leased
from libs.runtime.problems import DomainError, NotFound
from services.audit import messages as m
from services.audit.contract import ExportJob
from services.audit.logs import LOGS
from services.audit.queries import Filter, Period, Query, copy_csv, time_zone
from services.audit.settings import AuditOwn

log = structlog.get_logger("exports")

BEATS_PER_LEASE = 3
"""A worker renews its lease this often per ``export_lease_s``: one late beat is no loss."""


class StoredQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A query as a job keeps it: the period resolved to instants."""

    log: str
    time_zone: str
    preset: str
    start: datetime
    end: datetime
    filters: list[tuple[str, str]]

    @classmethod
    def of(cls, query: Query, now: datetime) -> "StoredQuery":
        return cls(
            log=query.spec.key,
            time_zone=query.tz.key,
            preset=query.period.preset,
            start=query.period.start,
            end=query.period.end or now,
            filters=[(f.column, f.value) for f in query.filters],
        )

    def query(self, facility: str) -> Query:
        return Query(
            spec=LOGS[self.log],
            facility=facility,
            tz=time_zone(self.time_zone),
            period=Period(self.preset, self.start, self.end),
            filters=tuple(Filter(column, value) for column, value in self.filters),
        )


_COLUMNS = """job_id::text AS job_id, log, status, created_at, completed_at, size_bytes,
              row_count, expires_at, requested_by, error"""


def _job(record: asyncpg.Record, now: datetime) -> ExportJob:
    expires = record["expires_at"]
    remaining = None
    if expires is not None and record["status"] == "done":
        remaining = max(0, math.ceil((expires - now) / timedelta(days=1)))
    return ExportJob(
        id=record["job_id"],
        log=record["log"],
        kind=m.EXPORT_KIND.format(log=m.LOG_LABELS[record["log"]]),
        status=record["status"],
        status_label=m.EXPORT_STATUSES[record["status"]],
        created_at=record["created_at"],
        completed_at=record["completed_at"],
        file_size=record["size_bytes"],
        row_count=record["row_count"],
        expires_at=expires,
        remaining_days=remaining,
        requested_by=record["requested_by"],
        error=m.EXPORT_FAILED if record["status"] == "failed" else None,
    )


class ExportGone(DomainError):
    status = 410


class Exports:
    """Requests, lists and serves full exports, and runs the worker that writes them."""

    def __init__(self, pool: Callable[[], asyncpg.Pool], own: AuditOwn, clock: Clock) -> None:
        self._pool = pool
        self._own = own
        self._clock = clock
        self._queue = JobQueue(
            table="export_jobs",
            returning="facility, query::text AS query",
            lease_s=own.export_lease_s,
        )
        self._worker = Worker(
            "audit-exports", self._queue, pool, self._export, poll_s=own.export_poll_s
        )
        self._task: asyncio.Task[None] | None = None

    # -- requests and reads --------------------------------------------------------------

    async def request(self, query: Query, requested_by: str) -> ExportJob:
        """Queue a full export of ``query``; the worker picks it up at once."""
        now = self._clock()
        stored = StoredQuery.of(query, now)
        record = await self._pool().fetchrow(
            f"""INSERT INTO export_jobs (job_id, facility, log, query, requested_by, created_at,
                                         status)
                VALUES ($1, $2, $3, $4::jsonb, $5, $6, 'queued') RETURNING {_COLUMNS}""",
            uuid.uuid4(),
            query.facility,
            query.spec.key,
            msgspec.json.encode(stored).decode(),
            requested_by,
            now,
        )
        assert record is not None  # INSERT ... RETURNING
        self._worker.wake()
        return _job(record, now)

    async def list_jobs(self, facility: str, status: str | None = None) -> list[ExportJob]:
        """The facility's jobs still listed (not past 有効期間), newest first."""
        now = self._clock()
        records = await self._pool().fetch(
            f"""SELECT {_COLUMNS} FROM export_jobs
                WHERE facility = $1 AND (expires_at IS NULL OR expires_at > $2)
                  AND ($3::text IS NULL OR status = $3)
                ORDER BY created_at DESC, job_id DESC""",
            facility,
            now,
            status,
        )
        return [_job(record, now) for record in records]

    async def get(self, facility: str, job_id: str) -> ExportJob:
        """One job of the facility; 404 for another facility's, as for a missing one (T3)."""
        record = await self._record(facility, job_id)
        return _job(record, self._clock())

    async def _record(self, facility: str, job_id: str) -> asyncpg.Record:
        try:
            key = uuid.UUID(job_id)
        except ValueError:
            raise NotFound("export_not_found", m.message("export_not_found")) from None
        record = await self._pool().fetchrow(
            f"SELECT {_COLUMNS} FROM export_jobs WHERE job_id = $1 AND facility = $2",
            key,
            facility,
        )
        if record is None:
            raise NotFound("export_not_found", m.message("export_not_found"))
        return record

    async def open(self, facility: str, job_id: str) -> tuple[ExportJob, AsyncIterator[bytes]]:
        """A finished, still valid job and its file, chunk by chunk."""
        job = await self.get(facility, job_id)
        if job.status != "done":
            raise DomainError("export_not_ready", m.message("export_not_ready"), status=409)
        if job.expires_at is None or job.expires_at <= self._clock():
            raise ExportGone("export_expired", m.message("export_expired"))
        return job, self._chunks(uuid.UUID(job.id))

    async def _chunks(self, job_id: uuid.UUID) -> AsyncIterator[bytes]:
        seq = 0
        while True:
            data = await self._pool().fetchval(
                "SELECT data FROM export_chunks WHERE job_id = $1 AND seq = $2", job_id, seq
            )
            if data is None:
                return
            yield bytes(data)
            seq += 1

    # -- the worker ----------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._worker.run(), name="audit-exports")

    async def stop(self) -> None:
        self._worker.stop()
        await cancel_and_wait(self._task)
        self._task = None

    async def _export(self, claim: Claim) -> None:
        """Write one claimed job's file; 失敗 after too many attempts or on any error."""
        job_id = claim.key
        if self._queue.exhausted(claim):
            await self._settle(claim, "failed", error="too many attempts")
            return
        try:
            stored = msgspec.json.decode(claim.row["query"], type=StoredQuery)
            size, rows = await keep_leased(
                self._queue,
                self._pool(),
                claim,
                self._write(job_id, stored.query(claim.row["facility"])),
                every_s=self._own.export_lease_s / BEATS_PER_LEASE,
            )
        except LeaseLost:
            log.warning("export_lease_lost", job_id=str(job_id))
            return
        except Exception as error:
            log.error("export_failed", job_id=str(job_id), error=repr(error))
            await self._settle(claim, "failed", error=repr(error))
            return
        await self._settle(claim, "done", size_bytes=size, row_count=rows)
        log.info("export_done", job_id=str(job_id), rows=rows, bytes=size)

    async def _settle(self, claim: Claim, status: str, **values: object) -> None:
        """完了 or 失敗, listed for 有効期間; a failed job's chunks go."""
        done = self._clock()
        values |= {
            "completed_at": done,
            "expires_at": done + timedelta(days=self._own.export_keep_days),
        }
        async with self._pool().acquire() as conn, conn.transaction():
            if status == "failed":
                await conn.execute("DELETE FROM export_chunks WHERE job_id = $1", claim.key)
            await self._queue.settle(conn, claim, status, values)

    async def _write(self, job_id: uuid.UUID, query: Query) -> tuple[int, int]:
        """COPY the query's rows into chunks; return the file's size and its row count."""
        limit = self._own.export_chunk_bytes
        pending = bytearray()
        seq = 0
        size = 0
        async with self._pool().acquire() as reader, self._pool().acquire() as writer:
            await writer.execute("DELETE FROM export_chunks WHERE job_id = $1", job_id)

            async def flush(piece: bytes) -> None:
                nonlocal seq, size
                await writer.execute(
                    "INSERT INTO export_chunks (job_id, seq, data) VALUES ($1, $2, $3)",
                    job_id,
                    seq,
                    piece,
                )
                size += len(piece)
                seq += 1

            async def sink(data: bytes) -> None:
                # COPY hands over what arrived; the chunks stored are of one size.
                pending.extend(data)
                while len(pending) >= limit:
                    await flush(bytes(pending[:limit]))
                    del pending[:limit]

            rows = await copy_csv(reader, query, sink)
            if pending:
                await flush(bytes(pending))
        return size, rows
