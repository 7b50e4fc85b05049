"""Full exports in PostgreSQL: ``export_jobs`` rows on ``libs.postgres.job_queue`` (decision
0035), their files in ``export_chunks``.

A worker streams the rows with COPY into chunks of one size: memory stays flat for any
size, and any replica can serve the download.
"""

import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime

import asyncpg
import msgspec

from libs.events.correlation import current_correlation
from libs.postgres.job_queue import Claim, JobQueue, keep_leased
from services.audit.adapters.log_reads import copy_csv
from services.audit.domain.exports import StoredQuery
from services.audit.domain.queries import Query, Record

_COLUMNS = """job_id::text AS job_id, log, status, created_at, completed_at, size_bytes,
              row_count, expires_at, requested_by, error"""


def export_queue(lease_s: float) -> JobQueue:
    """The queue over ``export_jobs``: a claim hands the worker the job's facility and query,
    and the correlation id it runs under (the queuing request's, decision 0045)."""
    return JobQueue(
        table="export_jobs",
        returning="facility, query::text AS query, correlation_id",
        lease_s=lease_s,
    )


class PostgresExports:
    """Export jobs and their files (the ``ExportJobs`` and ``ExportFiles`` ports of ``app``)."""

    def __init__(self, pool: Callable[[], asyncpg.Pool], queue: JobQueue, chunk_bytes: int) -> None:
        self._pool = pool
        self._queue = queue
        self._chunk_bytes = chunk_bytes

    # -- jobs ------------------------------------------------------------------------------

    async def insert(
        self, query: StoredQuery, facility: str, requested_by: str, now: datetime
    ) -> Record:
        record = await self._pool().fetchrow(
            f"""INSERT INTO export_jobs (job_id, facility, log, query, requested_by, created_at,
                                         status, correlation_id)
                VALUES ($1, $2, $3, $4::jsonb, $5, $6, 'queued', $7) RETURNING {_COLUMNS}""",
            uuid.uuid4(),
            facility,
            query.log,
            msgspec.json.encode(query).decode(),
            requested_by,
            now,
            # The request's that queued it: the worker runs the job under it (decision 0045).
            current_correlation(),
        )
        assert record is not None  # INSERT ... RETURNING
        return record

    async def listed(self, facility: str, now: datetime, status: str | None) -> Sequence[Record]:
        """The facility's jobs not past 有効期間, newest first."""
        return await self._pool().fetch(
            f"""SELECT {_COLUMNS} FROM export_jobs
                WHERE facility = $1 AND (expires_at IS NULL OR expires_at > $2)
                  AND ($3::text IS NULL OR status = $3)
                ORDER BY created_at DESC, job_id DESC""",
            facility,
            now,
            status,
        )

    async def find(self, facility: str, job_id: uuid.UUID) -> Record | None:
        return await self._pool().fetchrow(
            f"SELECT {_COLUMNS} FROM export_jobs WHERE job_id = $1 AND facility = $2",
            job_id,
            facility,
        )

    async def chunks(self, job_id: uuid.UUID) -> AsyncIterator[bytes]:
        seq = 0
        while True:
            data = await self._pool().fetchval(
                "SELECT data FROM export_chunks WHERE job_id = $1 AND seq = $2", job_id, seq
            )
            if data is None:
                return
            yield bytes(data)
            seq += 1

    # -- the worker's side -----------------------------------------------------------------

    def exhausted(self, claim: Claim) -> bool:
        return self._queue.exhausted(claim)

    def claimed_query(self, claim: Claim) -> Query:
        stored = msgspec.json.decode(claim.row["query"], type=StoredQuery)
        return stored.query(claim.row["facility"])

    async def write(self, claim: Claim, query: Query, beat_every_s: float) -> tuple[int, int]:
        """The job's file, beating while it is written; ``LeaseLost`` once another worker
        has taken the job over. Returns the file's size and its row count."""
        return await keep_leased(
            self._queue, self._pool(), claim, self._write(claim.key, query), every_s=beat_every_s
        )

    async def settle(self, claim: Claim, status: str, values: Mapping[str, object]) -> None:
        """完了 or 失敗 under the worker's claim; a failed job's chunks go."""
        async with self._pool().acquire() as conn, conn.transaction():
            if status == "failed":
                await conn.execute("DELETE FROM export_chunks WHERE job_id = $1", claim.key)
            await self._queue.settle(conn, claim, status, values)

    async def _write(self, job_id: uuid.UUID, query: Query) -> tuple[int, int]:
        """COPY the query's rows into chunks; return the file's size and its row count."""
        limit = self._chunk_bytes
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
