"""The CSV jobs of 出力一覧 (SPEC U6) in identity's database: queue, progress and files.

Files are kept in the ``jobs`` row itself (bytea): every replica can serve every
download, a file goes away with its row, and nothing depends on a shared disk. The
``jobs`` table is a ``libs.postgres.job_queue`` queue: claimed with ``SKIP LOCKED``, kept
by heartbeats, a running job whose heartbeat is stale (its process died) claimed again
and resumed, and every write after the claim guarded by its token.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from libs.events.correlation import current_correlation
from libs.events.envelope import Actor, Role
from libs.postgres.connection import Connection
from libs.postgres.job_queue import Claim, JobQueue
from services.identity.app.import_ports import Progress

JobKind = Literal["user_export", "user_import"]
JobStatus = Literal["queued", "running", "done", "failed"]
STATUSES: tuple[JobStatus, ...] = ("queued", "running", "done", "failed")

QUEUE = JobQueue(
    table="jobs",
    returning="facility_id, kind, actor_id, actor_role, actor_ip, correlation_id",
    lease_s=30.0,
    on_claim="started_at = coalesce(started_at, now())",
)
"""A job whose worker has not beaten for 30 s is taken over; after three tries it fails."""

_LISTED = """job_id, kind, status, created_at, started_at, finished_at, expires_at,
    total_rows, done_rows, created_rows, updated_rows, unchanged_rows, failed_rows,
    error_code, result_size"""


@dataclass(frozen=True)
class JobRow:
    """A job as 出力一覧 lists it."""

    job_id: str
    kind: JobKind
    status: JobStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None
    total_rows: int | None
    done_rows: int
    created_rows: int
    updated_rows: int
    unchanged_rows: int
    failed_rows: int
    error_code: str | None
    result_size: int | None


@dataclass(frozen=True)
class Claimed:
    """A job this worker now runs, and the token its writes must carry."""

    job_id: str
    facility_id: str
    kind: JobKind
    actor: Actor
    claim: Claim

    @property
    def attempts(self) -> int:
        return self.claim.attempts


async def create_job(
    conn: Connection,
    *,
    job_id: str,
    facility_id: str,
    kind: JobKind,
    actor: Actor,
    created_at: datetime,
    input_bytes: bytes | None = None,
    total_rows: int | None = None,
) -> JobRow:
    """Queue a job (待機中) under the current request's correlation id, which its worker
    runs it under (decision 0045)."""
    row = await conn.fetchrow(
        f"""INSERT INTO jobs (job_id, facility_id, kind, status, actor_id, actor_role,
                actor_ip, created_at, input, total_rows, correlation_id)
            VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $10)
            RETURNING {_LISTED}""",
        job_id,
        facility_id,
        kind,
        actor.id,
        actor.role,
        actor.ip,
        created_at,
        input_bytes,
        total_rows,
        current_correlation(),
    )
    assert row is not None
    return JobRow(**dict(row))


def claimed(claim: Claim) -> Claimed:
    """The job a claim of ``QUEUE`` took."""
    row = claim.row
    role: Role = row["actor_role"]
    return Claimed(
        job_id=claim.key,
        facility_id=row["facility_id"],
        kind=row["kind"],
        actor=Actor(id=row["actor_id"], role=role, ip=row["actor_ip"]),
        claim=claim,
    )


def progress_values(progress: Progress) -> dict[str, object]:
    """The columns a heartbeat writes: how far the job got."""
    return {
        "total_rows": progress.total,
        "done_rows": progress.done,
        "created_rows": progress.created,
        "updated_rows": progress.updated,
        "unchanged_rows": progress.unchanged,
        "failed_rows": progress.failed,
    }


async def finish(
    conn: Connection,
    job: Claimed,
    progress: Progress,
    *,
    result: bytes,
    sealed: bool,
    keep_days: int,
    now: datetime,
) -> bool:
    """完了 with its file, kept ``keep_days``; the upload and row results are dropped."""
    return await _settle(
        conn,
        job,
        "done",
        {
            **progress_values(progress),
            "finished_at": now,
            "expires_at": now + timedelta(days=keep_days),
            "result": result,
            "result_size": len(result),
            "result_sealed": sealed,
            "input": None,
        },
    )


async def fail(
    conn: Connection,
    job: Claimed,
    progress: Progress,
    *,
    code: str,
    keep_days: int,
    now: datetime,
) -> None:
    """失敗 with a reason; listed (without a file) for ``keep_days``."""
    await _settle(
        conn,
        job,
        "failed",
        {
            **progress_values(progress),
            "finished_at": now,
            "expires_at": now + timedelta(days=keep_days),
            "error_code": code,
            "input": None,
        },
    )


async def _settle(conn: Connection, job: Claimed, status: str, values: dict[str, object]) -> bool:
    async with conn.transaction():
        settled = await QUEUE.settle(conn, job.claim, status, values)
        if settled:
            await conn.execute("DELETE FROM job_rows WHERE job_id = $1", job.job_id)
    return settled


async def list_jobs(
    conn: Connection, facility_id: str, status: JobStatus | None, limit: int
) -> list[JobRow]:
    """The facility's jobs, newest first, optionally of one status."""
    rows = await conn.fetch(
        f"""SELECT {_LISTED} FROM jobs
            WHERE facility_id = $1 AND ($2::text IS NULL OR status = $2)
            ORDER BY created_at DESC, job_id DESC LIMIT $3""",
        facility_id,
        status,
        limit,
    )
    return [JobRow(**dict(row)) for row in rows]


async def get_job(conn: Connection, facility_id: str, job_id: str) -> JobRow | None:
    if "\x00" in job_id:  # no id holds it, and PostgreSQL text cannot: nothing to look up
        return None
    row = await conn.fetchrow(
        f"SELECT {_LISTED} FROM jobs WHERE job_id = $1 AND facility_id = $2",
        job_id,
        facility_id,
    )
    return JobRow(**dict(row)) if row else None


@dataclass(frozen=True)
class JobFile:
    content: bytes
    sealed: bool
    kind: JobKind
    created_at: datetime


async def job_file(
    conn: Connection, facility_id: str, job_id: str, now: datetime
) -> JobFile | None:
    """The file of a finished, unexpired job of the facility."""
    if "\x00" in job_id:  # as in get_job
        return None
    row = await conn.fetchrow(
        """SELECT result, result_sealed, kind, created_at FROM jobs
           WHERE job_id = $1 AND facility_id = $2 AND status = 'done' AND expires_at > $3""",
        job_id,
        facility_id,
        now,
    )
    if row is None or row["result"] is None:
        return None
    return JobFile(bytes(row["result"]), row["result_sealed"], row["kind"], row["created_at"])


async def job_input(conn: Connection, job_id: str) -> bytes:
    value = await conn.fetchval("SELECT input FROM jobs WHERE job_id = $1", job_id)
    return bytes(value or b"")


async def job_rows(conn: Connection, job_id: str) -> dict[int, bytes]:
    """Sealed results of the import rows already applied (a resumed job)."""
    rows = await conn.fetch("SELECT row_no, sealed FROM job_rows WHERE job_id = $1", job_id)
    return {row["row_no"]: bytes(row["sealed"]) for row in rows}


async def purge_expired(conn: Connection, now: datetime) -> int:
    """Delete jobs past their 有効期間 (their files with them); return how many."""
    status = await conn.execute("DELETE FROM jobs WHERE expires_at <= $1", now)
    return int(status.rsplit(" ", 1)[-1])
