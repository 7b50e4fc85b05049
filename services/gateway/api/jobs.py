"""``/api/v1/facilities/{code}/jobs``: 「出力一覧」 (SPEC U6, A5) composed from identity's
user CSV jobs (全件CSV出力, 一括登録) and audit's full log exports, and their downloads."""

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter

from libs.runtime.paths import fill
from libs.runtime.problems import DomainError
from services.audit.contract import EXPORTS_PATH, ExportJob
from services.gateway.api.bodies import CSV_IMPORT, with_body
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY, problems
from services.gateway.gateway_context import Gateway
from services.gateway.relay import consistency, relay_body, relay_stream, relayed, seg
from services.identity.contract import JOBS_PATH, UPLOAD_SLACK, JobOut

TAGS = ["jobs"]
Status = Literal["queued", "running", "done", "failed"]
LIST_MAX = 200


class OutputJob(msgspec.Struct, frozen=True, kw_only=True):
    """A row of 「出力一覧」, whichever service made the file."""

    source: Literal["users", "logs"]
    """``users``: identity's user CSV jobs; ``logs``: audit's log exports."""
    job_id: str
    """With ``source``, what ``getUserJob`` or ``getLogExport`` reads."""
    kind_label: str
    """出力種別."""
    status: Status
    """``queued`` 待機中, ``running`` 処理中, ``done`` 完了, ``failed`` 失敗."""
    status_label: str
    """ステータス as shown: 待機中 / 処理中 / 完了 / 失敗."""
    created_at: datetime
    """作成日時."""
    finished_at: datetime | None
    """完了日時; null until done or failed."""
    file_size: int | None
    """ファイルサイズ in bytes, once the file exists."""
    expires_at: datetime | None
    """When the file is deleted."""
    remaining_days: int | None
    """有効期間 「残りN日」."""
    downloadable: bool
    download_path: str | None
    """「ダウンロード」: this API's path of the file, while it can be downloaded."""
    error_message: str | None
    """Why the job failed (失敗), in Japanese."""


class OutputJobList(msgspec.Struct, frozen=True, kw_only=True):
    """「出力一覧」, newest first."""

    items: list[OutputJob]


def _from_identity(code: str, job: dict[str, Any]) -> OutputJob:
    path = f"/api/v1/facilities/{code}/jobs/users/{job['job_id']}/file"
    return OutputJob(
        source="users",
        job_id=job["job_id"],
        kind_label=job["kind_label"],
        status=job["status"],
        status_label=job["status_label"],
        created_at=msgspec.convert(job["created_at"], datetime),
        finished_at=msgspec.convert(job["finished_at"], datetime | None),
        file_size=job["file_size"],
        expires_at=msgspec.convert(job["expires_at"], datetime | None),
        remaining_days=job["remaining_days"],
        downloadable=job["downloadable"],
        download_path=path if job["downloadable"] else None,
        error_message=job["error_message"],
    )


def _from_audit(code: str, job: dict[str, Any], now: datetime) -> OutputJob:
    expires = msgspec.convert(job["expires_at"], datetime | None)
    downloadable = job["status"] == "done" and expires is not None and expires > now
    return OutputJob(
        source="logs",
        job_id=job["id"],
        kind_label=job["kind"],
        status=job["status"],
        status_label=job["status_label"],
        created_at=msgspec.convert(job["created_at"], datetime),
        finished_at=msgspec.convert(job["completed_at"], datetime | None),
        file_size=job["file_size"],
        expires_at=expires,
        remaining_days=job["remaining_days"],
        downloadable=downloadable,
        download_path=f"/api/v1/facilities/{code}/jobs/logs/{job['id']}/file"
        if downloadable
        else None,
        error_message=job.get("error"),
    )


def job_routes(gw: Gateway) -> list[HTTPRouteHandler]:
    """Queue exports and imports, list 出力一覧, read one job, download its file."""

    def identity_path(code: str, rest: str = "") -> str:
        return fill(JOBS_PATH, code=code) + rest

    def audit_path(code: str, rest: str = "") -> str:
        return fill(EXPORTS_PATH, code=code) + rest

    @post(
        f"{ADMIN_BASE}/jobs/user-export",
        operation_id="queueUserExport",
        status_code=202,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def queue_export(
        request: Request[Any, Any, Any], code: FromPath[str]
    ) -> Response[JobOut]:
        """「全件CSV出力」: every user of the facility, whatever the search (U6)."""
        caller = await gw.admin_of(request, code)
        answer = await gw.upstreams.call(
            "identity",
            "POST",
            identity_path(code, "/user-export"),
            caller.acting,
            headers=consistency(request),
        )
        return relayed(answer)

    @post(
        f"{ADMIN_BASE}/jobs/user-import",
        operation_id="queueUserImport",
        status_code=202,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=problems(400, 401, 403, 404, 409, 413, 503),
        # identity's own limit (the setting both read, decision 0034), plus the slack that
        # lets identity name it: identity refuses a larger file with its own message.
        request_max_body_size=gw.csv.csv_max_bytes + UPLOAD_SLACK,
        operation_class=with_body(CSV_IMPORT),
    )
    async def queue_import(
        request: Request[Any, Any, Any], code: FromPath[str]
    ) -> Response[JobOut]:
        """「一括登録」: the CSV file as the body (UTF-8 with or without BOM, or CP932); its
        result CSV is listed in 出力一覧 (U6)."""
        caller = await gw.admin_of(request, code)
        answer = await relay_body(
            request,
            "csv_too_large",
            lambda body: gw.upstreams.open(
                "identity",
                "POST",
                identity_path(code, "/user-import"),
                caller.acting,
                content=body,
                headers={
                    **consistency(request),
                    "content-type": request.headers.get("content-type", "text/csv"),
                },
            ),
        )
        return await relay_stream(answer)

    @get(
        f"{ADMIN_BASE}/jobs",
        operation_id="listOutputJobs",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_jobs(
        request: Request[Any, Any, Any],
        code: FromPath[str],
        status: Annotated[Status | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=LIST_MAX)] = 50,
    ) -> OutputJobList:
        """「出力一覧」: user CSV jobs and log exports together, newest first, one ステータス
        or all (「更新」 asks again)."""
        caller = await gw.admin_of(request, code)
        params: dict[str, Any] = {"status": status} if status else {}
        users, logs = await asyncio.gather(
            gw.upstreams.call(
                "identity",
                "GET",
                identity_path(code),
                caller.acting,
                params={**params, "limit": limit},
                headers=consistency(request),
            ),
            gw.upstreams.call(
                "audit",
                "GET",
                audit_path(code),
                caller.acting,
                params=params,
                headers=consistency(request),
            ),
        )
        for answer in (users, logs):
            if answer.status_code != 200:
                problem = answer.json() if answer.content else {}
                raise DomainError(
                    str(problem.get("code", "upstream_failed")),
                    str(problem.get("title", "")),
                    status=answer.status_code,
                )
        now = datetime.now().astimezone()
        items = [_from_identity(code, job) for job in users.json()["items"]]
        items += [_from_audit(code, job, now) for job in logs.json()]
        items.sort(key=lambda job: (job.created_at, job.job_id), reverse=True)
        return OutputJobList(items=items[:limit])

    @get(
        f"{ADMIN_BASE}/jobs/users/{{job_id:str}}",
        operation_id="getUserJob",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_user_job(
        request: Request[Any, Any, Any], code: FromPath[str], job_id: FromPath[str]
    ) -> Response[JobOut]:
        """One user CSV job with its progress (poll while 処理中)."""
        caller = await gw.admin_of(request, code)
        answer = await gw.upstreams.call(
            "identity",
            "GET",
            identity_path(code, f"/{seg(job_id)}"),
            caller.acting,
            headers=consistency(request),
        )
        return relayed(answer)

    @get(
        f"{ADMIN_BASE}/jobs/logs/{{job_id:str}}",
        operation_id="getLogExport",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_log_export(
        request: Request[Any, Any, Any], code: FromPath[str], job_id: FromPath[str]
    ) -> Response[ExportJob]:
        caller = await gw.admin_of(request, code)
        answer = await gw.upstreams.call(
            "audit",
            "GET",
            audit_path(code, f"/{seg(job_id)}"),
            caller.acting,
            headers=consistency(request),
        )
        return relayed(answer)

    async def download(
        request: Request[Any, Any, Any], code: str, service: str, path: str
    ) -> Response[Any]:
        caller = await gw.admin_of(request, code)
        return await relay_stream(
            await gw.upstreams.open(
                service, "GET", path, caller.acting, headers=consistency(request)
            )
        )

    @get(
        f"{ADMIN_BASE}/jobs/users/{{job_id:str}}/file",
        operation_id="downloadUserJobFile",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
        media_type="text/csv",
    )
    async def user_job_file(
        request: Request[Any, Any, Any], code: FromPath[str], job_id: FromPath[str]
    ) -> Response[bytes]:
        """「ダウンロード」 of a 完了 user CSV job within its 有効期間."""
        return await download(
            request, code, "identity", identity_path(code, f"/{seg(job_id)}/file")
        )

    @get(
        f"{ADMIN_BASE}/jobs/logs/{{job_id:str}}/file",
        operation_id="downloadLogExportFile",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
        media_type="text/csv",
    )
    async def log_export_file(
        request: Request[Any, Any, Any], code: FromPath[str], job_id: FromPath[str]
    ) -> Response[bytes]:
        """「ダウンロード」 of a 完了 log export within its 有効期間."""
        return await download(request, code, "audit", audit_path(code, f"/{seg(job_id)}/file"))

    return [
        queue_export,
        queue_import,
        list_jobs,
        get_user_job,
        get_log_export,
        user_job_file,
        log_export_file,
    ]
