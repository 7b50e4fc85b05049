"""The CSV jobs of 出力一覧 (SPEC U6) in identity's database: queue, progress and files.

Files are kept in the ``jobs`` row itself (bytea): every replica can serve every
download, a file goes away with its row, and nothing depends on a shared disk. A job is
claimed with ``FOR UPDATE SKIP LOCKED``; its worker touches ``heartbeat_at`` every
second, and a running job whose heartbeat is stale (its process died) is claimed again
and resumed. Each claim gets a fresh ``claim`` token that every later write must name, so
a worker that lost its claim can no longer write.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from libs.events.envelope import Actor, Role
from libs.postgres.connection import Connection

JobKind = Literal["user_export", "user_import"]
JobStatus = Literal["queued", "running", "done", "failed"]
STATUSES: tuple[JobStatus, ...] = ("queued", "running", "done", "failed")

_LISTED = """job_id, kind, status, created_at, started_at, finished_at, expires_at,
    total_rows, done_rows, created_rows, updated_rows, unchanged_rows, failed_rows,
    error_code, result_size"""


@dataclass
class Progress:
    """How far a job got; written with every heartbeat."""

    total: int | None = None
    done: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0


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
    attempts: int
    claim: str


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
    """Queue a job (待機中)."""
    row = await conn.fetchrow(
        f"""INSERT INTO jobs (job_id, facility_id, kind, status, actor_id, actor_role,
                actor_ip, created_at, input, total_rows)
            VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9)
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
    )
    assert row is not None
    return JobRow(**dict(row))


async def claim_next(conn: Connection, stale_after_s: float) -> Claimed | None:
    """Take the oldest queued job, or a running one whose worker stopped beating."""
    claim = secrets.token_hex(8)
    row = await conn.fetchrow(
        """UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now()),
               heartbeat_at = now(), attempts = attempts + 1, claim = $2
           WHERE job_id = (
               SELECT job_id FROM jobs
               WHERE status = 'queued'
                  OR (status = 'running'
                      AND heartbeat_at < now() - make_interval(secs => $1))
               ORDER BY created_at LIMIT 1
               FOR UPDATE SKIP LOCKED)
           RETURNING job_id, facility_id, kind, actor_id, actor_role, actor_ip, attempts""",
        stale_after_s,
        claim,
    )
    if row is None:
        return None
    role: Role = row["actor_role"]
    return Claimed(
        job_id=row["job_id"],
        facility_id=row["facility_id"],
        kind=row["kind"],
        actor=Actor(id=row["actor_id"], role=role, ip=row["actor_ip"]),
        attempts=row["attempts"],
        claim=claim,
    )


def _progress_args(progress: Progress) -> tuple[object, ...]:
    return (
        progress.total,
        progress.done,
        progress.created,
        progress.updated,
        progress.unchanged,
        progress.failed,
    )


_SET_PROGRESS = """total_rows = $3, done_rows = $4, created_rows = $5, updated_rows = $6,
    unchanged_rows = $7, failed_rows = $8"""


async def beat(conn: Connection, job: Claimed, progress: Progress) -> bool:
    """Record progress and that the worker lives; False when the claim was lost."""
    status = await conn.execute(
        f"""UPDATE jobs SET heartbeat_at = now(), {_SET_PROGRESS}
            WHERE job_id = $1 AND claim = $2 AND status = 'running'""",
        job.job_id,
        job.claim,
        *_progress_args(progress),
    )
    return status == "UPDATE 1"


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
    finished = await conn.fetchval(
        f"""WITH done AS (
                UPDATE jobs SET status = 'done', finished_at = $13::timestamptz, heartbeat_at = now(),
                    expires_at = $13::timestamptz + make_interval(days => $9), result = $10,
                    result_size = $11, result_sealed = $12, input = NULL, {_SET_PROGRESS}
                WHERE job_id = $1 AND claim = $2 AND status = 'running'
                RETURNING job_id),
            dropped AS (DELETE FROM job_rows WHERE job_id IN (SELECT job_id FROM done))
            SELECT count(*) FROM done""",
        job.job_id,
        job.claim,
        *_progress_args(progress),
        keep_days,
        result,
        len(result),
        sealed,
        now,
    )
    return bool(finished)


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
    await conn.execute(
        f"""WITH failed AS (
                UPDATE jobs SET status = 'failed', finished_at = $11::timestamptz, error_code = $9,
                    expires_at = $11::timestamptz + make_interval(days => $10), input = NULL,
                    {_SET_PROGRESS}
                WHERE job_id = $1 AND claim = $2 AND status = 'running'
                RETURNING job_id)
            DELETE FROM job_rows WHERE job_id IN (SELECT job_id FROM failed)""",
        job.job_id,
        job.claim,
        *_progress_args(progress),
        code,
        keep_days,
        now,
    )


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


async def release(conn: Connection, job: Claimed) -> None:
    """Put a job this worker will not finish (shutdown) back in the queue, attempt refunded."""
    await conn.execute(
        """UPDATE jobs SET status = 'queued', claim = NULL, attempts = attempts - 1
           WHERE job_id = $1 AND claim = $2 AND status = 'running'""",
        job.job_id,
        job.claim,
    )
