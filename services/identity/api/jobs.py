"""Routes of 「全件CSV出力」, 「一括登録」 and 「出力一覧」 (SPEC U6) in identity's internal API.

An upload is checked whole before it is queued (size, encoding, header, row count):
those refusals come back at once as problems. Its rows are checked and applied by the
job, whose result CSV is listed in 出力一覧 with the exports.
"""

import math
from datetime import datetime
from typing import Annotated

from litestar import Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter, RawBody

from libs.events.clock import Clock, system_clock
from libs.events.ids import new_id
from libs.runtime.backbone import Backbone
from libs.runtime.internal_auth import Caller
from libs.runtime.problems import DomainError
from services.identity.adapters import jobs as store
from services.identity.adapters.file_seal import FileSeal
from services.identity.api.facility_scope import FacilityScope
from services.identity.app.jobs import JobRunner, result_context
from services.identity.contract.jobs import UPLOAD_SLACK, JobList, JobOut
from services.identity.contract.paths import JOBS_PATH
from services.identity.domain import csv_format as fmt
from services.identity.domain.errors import not_found
from services.identity.messages import JOB_KIND_LABELS, JOB_STATUS_LABELS, message
from services.identity.settings import IdentityOwn

LIST_MAX = 200
_DAY_S = 86400


def job_out(job: store.JobRow, now: datetime) -> JobOut:
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


def job_routes(
    backbone: Backbone,
    own: IdentityOwn,
    runner: JobRunner,
    seal: FileSeal,
    clock: Clock = system_clock,
) -> list[HTTPRouteHandler]:
    """Queue an export or an import, list and read jobs, download a finished job's file."""
    base = JOBS_PATH
    scoped_facility = FacilityScope(backbone)

    @post(f"{base}/user-export", operation_id="queueUserExport", status_code=202)
    async def queue_export(code: FromPath[str], claims: Caller) -> JobOut:
        """「全件CSV出力」: every user of the facility, whatever the search."""
        facility = await scoped_facility(claims, code)
        now = clock()
        async with backbone.pool.acquire() as conn:
            job = await store.create_job(
                conn,
                job_id=new_id(),
                facility_id=facility.facility_id,
                kind="user_export",
                actor=claims.actor,
                created_at=now,
            )
        runner.wake()
        return job_out(job, now)

    @post(
        f"{base}/user-import",
        operation_id="queueUserImport",
        status_code=202,
        request_max_body_size=own.csv_max_bytes + UPLOAD_SLACK,
    )
    async def queue_import(code: FromPath[str], body: RawBody, claims: Caller) -> JobOut:
        """「一括登録」: a whole-file problem now, or a queued job whose result lists each row."""
        facility = await scoped_facility(claims, code)
        if len(body) > own.csv_max_bytes:
            raise DomainError("csv_too_large", message("csv_too_large"), status=413)
        if not seal.ready:
            raise DomainError("at_rest_key_missing", message("at_rest_key_missing"), status=503)
        table = fmt.read_table(fmt.decode_upload(body), max_rows=own.csv_max_rows)
        now = clock()
        async with backbone.pool.acquire() as conn:
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
        runner.wake()
        return job_out(job, now)

    @get(base, operation_id="listJobs")
    async def list_jobs(
        code: FromPath[str],
        claims: Caller,
        status: Annotated[store.JobStatus | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=LIST_MAX)] = 50,
    ) -> JobList:
        """出力一覧, newest first, optionally one ステータス."""
        facility = await scoped_facility(claims, code)
        async with backbone.pool.acquire() as conn:
            jobs = await store.list_jobs(conn, facility.facility_id, status, limit)
        now = clock()
        return JobList(items=[job_out(job, now) for job in jobs])

    @get(f"{base}/{{job_id:str}}", operation_id="getJob")
    async def read(code: FromPath[str], job_id: FromPath[str], claims: Caller) -> JobOut:
        """One job with its progress (poll while 処理中)."""
        facility = await scoped_facility(claims, code)
        async with backbone.pool.acquire() as conn:
            job = await store.get_job(conn, facility.facility_id, job_id)
        if job is None:
            raise not_found("job_not_found")
        return job_out(job, clock())

    @get(f"{base}/{{job_id:str}}/file", operation_id="downloadJobFile")
    async def download(
        code: FromPath[str], job_id: FromPath[str], claims: Caller
    ) -> Response[bytes]:
        """「ダウンロード」: the CSV of a 完了 job within its 有効期間."""
        facility = await scoped_facility(claims, code)
        async with backbone.pool.acquire() as conn:
            file = await store.job_file(conn, facility.facility_id, job_id, clock())
            if file is None:
                job = await store.get_job(conn, facility.facility_id, job_id)
                if job is not None and job.status in ("queued", "running"):
                    raise DomainError("job_not_ready", message("job_not_ready"), status=409)
                raise not_found("job_not_found")
        content = seal.open(file.content, result_context(job_id)) if file.sealed else file.content
        stamp = file.created_at.strftime("%Y%m%d%H%M%S")
        prefix = "users" if file.kind == "user_export" else "users_import_result"
        return Response(
            content,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{prefix}_{facility.code}_{stamp}.csv"',
                "Cache-Control": "no-store",
            },
        )

    return [queue_export, queue_import, list_jobs, read, download]
