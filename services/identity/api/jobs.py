"""Routes of 「全件CSV出力」, 「一括登録」 and 「出力一覧」 (SPEC U6) in identity's internal API.

An upload is checked whole before it is queued (size, encoding, header, row count):
those refusals come back at once as problems. Its rows are checked and applied by the
job, whose result CSV is listed in 出力一覧 with the exports.
"""

import math
from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, QueryParameter, RawBody

from libs.events.ids import new_id
from libs.runtime.internal_auth import Caller
from libs.runtime.problems import DomainError
from services.identity.adapters import jobs as store
from services.identity.adapters.job_runner import result_context
from services.identity.adapters.postgres import Facility
from services.identity.api.guards import facility_admins
from services.identity.api.provided import Db, InFacility, Jobs, Now, Own, Seal
from services.identity.contract.jobs import JobList, JobOut
from services.identity.contract.paths import JOBS_PATH
from services.identity.domain import csv_format as fmt
from services.identity.domain.errors import not_found
from services.identity.messages import JOB_KIND_LABELS, JOB_STATUS_LABELS, message

LIST_MAX = 200
_DAY_S = 86400


def job_out(job: store.JobRow, now: datetime) -> JobOut:
    """A job as 出力一覧 lists it, its days left counted at ``now``."""
    remaining = (
        max(0, math.floor((job.expires_at - now).total_seconds() / _DAY_S))
        if job.expires_at is not None
        else None
    )
    return JobOut(
        job_id=job.job_id,
        kind=job.kind,
        kind_label=JOB_KIND_LABELS[job.kind],
        status=job.status,
        status_label=JOB_STATUS_LABELS[job.status],
        created_at=job.created_at,
        finished_at=job.finished_at,
        file_size=job.result_size,
        expires_at=job.expires_at,
        remaining_days=remaining,
        total_rows=job.total_rows,
        done_rows=job.done_rows,
        created_rows=job.created_rows,
        updated_rows=job.updated_rows,
        unchanged_rows=job.unchanged_rows,
        failed_rows=job.failed_rows,
        error_code=job.error_code,
        error_message=message(job.error_code) if job.error_code else None,
        downloadable=job.status == "done" and job.expires_at is not None and job.expires_at > now,
    )


def download_name(file: store.JobFile, facility: Facility) -> str:
    """The file's name as 出力一覧's 「ダウンロード」 saves it."""
    stamp = file.created_at.strftime("%Y%m%d%H%M%S")
    prefix = "users" if file.kind == "user_export" else "users_import_result"
    return f"{prefix}_{facility.code}_{stamp}.csv"


class JobsController(Controller):
    """Queue an export or an import, list and read jobs, download a finished job's file.

    The app mounts it with the CSV import's body limit (``http.create_app``): the import is
    its one route with a body."""

    path = JOBS_PATH
    guards = (facility_admins,)

    @post("/user-export", operation_id="queueUserExport", status_code=202)
    async def queue_export(
        self,
        claims: Caller,
        facility: InFacility,
        db: Db,
        job_runner: Jobs,
        clock: Now,
    ) -> JobOut:
        """「全件CSV出力」: every user of the facility, whatever the search."""
        now = clock()
        async with db.acquire() as conn:
            job = await store.create_job(
                conn,
                job_id=new_id(),
                facility_id=facility.facility_id,
                kind="user_export",
                actor=claims.actor,
                created_at=now,
            )
        job_runner.wake()
        return job_out(job, now)

    @post("/user-import", operation_id="queueUserImport", status_code=202)
    async def queue_import(
        self,
        body: RawBody,
        claims: Caller,
        facility: InFacility,
        db: Db,
        job_runner: Jobs,
        seal: Seal,
        own: Own,
        clock: Now,
    ) -> JobOut:
        """「一括登録」: a whole-file problem now, or a queued job whose result lists each row."""
        if len(body) > own.csv_max_bytes:
            raise DomainError("csv_too_large", message("csv_too_large"), status=413)
        if not seal.ready:
            raise DomainError("at_rest_key_missing", message("at_rest_key_missing"), status=503)
        table = fmt.read_table(fmt.decode_upload(body), max_rows=own.csv_max_rows)
        now = clock()
        async with db.acquire() as conn:
            job = await store.create_job(
                conn,
                job_id=new_id(),
                facility_id=facility.facility_id,
                kind="user_import",
                actor=claims.actor,
                created_at=now,
                input_bytes=bytes(body),
                total_rows=len(table.rows),
            )
        job_runner.wake()
        return job_out(job, now)

    @get(operation_id="listJobs")
    async def list_jobs(
        self,
        facility: InFacility,
        db: Db,
        clock: Now,
        status: Annotated[store.JobStatus | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=LIST_MAX)] = 50,
    ) -> JobList:
        """出力一覧, newest first, optionally one ステータス."""
        async with db.acquire() as conn:
            jobs = await store.list_jobs(conn, facility.facility_id, status, limit)
        now = clock()
        return JobList(items=[job_out(job, now) for job in jobs])

    @get("/{job_id:str}", operation_id="getJob")
    async def read(
        self,
        job_id: FromPath[str],
        facility: InFacility,
        db: Db,
        clock: Now,
    ) -> JobOut:
        """One job with its progress (poll while 処理中)."""
        async with db.acquire() as conn:
            job = await store.get_job(conn, facility.facility_id, job_id)
        if job is None:
            raise not_found("job_not_found")
        return job_out(job, clock())

    @get("/{job_id:str}/file", operation_id="downloadJobFile")
    async def download(
        self,
        job_id: FromPath[str],
        facility: InFacility,
        db: Db,
        seal: Seal,
        clock: Now,
    ) -> Response[bytes]:
        """「ダウンロード」: the CSV of a 完了 job within its 有効期間."""
        async with db.acquire() as conn:
            file = await store.job_file(conn, facility.facility_id, job_id, clock())
            if file is None:
                job = await store.get_job(conn, facility.facility_id, job_id)
                if job is not None and job.status in ("queued", "running"):
                    raise DomainError("job_not_ready", message("job_not_ready"), status=409)
                raise not_found("job_not_found")
        content = seal.open(file.content, result_context(job_id)) if file.sealed else file.content
        return Response(
            content,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{download_name(file, facility)}"',
                "Cache-Control": "no-store",
            },
        )
