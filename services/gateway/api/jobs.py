"""``/api/v1/facilities/{code}/jobs``: 「出力一覧」 (SPEC U6, A5) composed from identity's
user CSV jobs (全件CSV出力, 一括登録) and audit's full log exports, and their downloads."""

import asyncio
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter

from libs.runtime.paths import fill
from libs.runtime.problems import DomainError
from services.audit.contract import EXPORTS_PATH, ExportJob
from services.gateway.adapters.upstreams import Answer
from services.gateway.api.bodies import CSV_IMPORT, with_body
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY, problems
from services.gateway.api.dependencies import ADMIN_CALLS, Relaying
from services.gateway.api.guards import admin_of_path_facility
from services.gateway.api.ordered import OrderedController
from services.gateway.api.relay import seg
from services.identity.contract import JOBS_PATH, JobOut

TAGS = ["jobs"]
Status = Literal["queued", "running", "done", "failed"]
LIST_MAX = 200


class OutputJob(msgspec.Struct, frozen=True, kw_only=True):
    """A row of 「出力一覧」, whichever service made the file."""

    docs_from: ClassVar[dict[type, tuple[str, ...]]] = {
        JobOut: ("status", "status_label", "created_at", "finished_at", "file_size")
    }
    """Fields that mean what they mean in identity's row (``attribute_docs.DOCS_FROM``)."""

    source: Literal["users", "logs"]
    """``users``: identity's user CSV jobs; ``logs``: audit's log exports."""
    job_id: str
    """With ``source``, what ``getUserJob`` or ``getLogExport`` reads."""
    kind_label: str
    """出力種別."""
    status: Status
    status_label: str
    created_at: datetime
    finished_at: datetime | None
    file_size: int | None
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


def identity_path(code: str, rest: str = "") -> str:
    """identity's path of the facility's user CSV jobs, and ``rest`` under it."""
    return fill(JOBS_PATH, code=code) + rest


def audit_path(code: str, rest: str = "") -> str:
    """audit's path of the facility's log exports, and ``rest`` under it."""
    return fill(EXPORTS_PATH, code=code) + rest


def _checked(answer: Answer) -> Answer:
    """A list's answer, or the service's problem raised (出力一覧 is one list of both)."""
    if answer.status_code != 200:
        problem = answer.json() if answer.content else {}
        raise DomainError(
            str(problem.get("code", "upstream_failed")),
            str(problem.get("title", "")),
            status=answer.status_code,
        )
    return answer


class JobsController(OrderedController):
    """Queue exports and imports, list 出力一覧, read one job, download its file.

    The CSV import's body limit is identity's configured one, known only when the app is
    built: ``http.create_app`` mounts this controller under a router that carries it (the
    import is the only route here with a body)."""

    path = ADMIN_BASE
    guards = (admin_of_path_facility,)
    dependencies = ADMIN_CALLS

    @post(
        "/jobs/user-export",
        operation_id="queueUserExport",
        status_code=202,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def queue_export(self, relay: Relaying, code: FromPath[str]) -> Response[JobOut]:
        """「全件CSV出力」: every user of the facility, whatever the search (U6)."""
        return await relay.call("identity", "POST", identity_path(code, "/user-export"))

    @post(
        "/jobs/user-import",
        operation_id="queueUserImport",
        status_code=202,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=problems(400, 401, 403, 404, 409, 413, 503),
        operation_class=with_body(CSV_IMPORT),
    )
    async def queue_import(
        self, request: Request[Any, Any, Any], relay: Relaying, code: FromPath[str]
    ) -> Response[JobOut]:
        """「一括登録」: the CSV file as the body (UTF-8 with or without BOM, or CP932); its
        result CSV is listed in 出力一覧 (U6)."""
        path = identity_path(code, "/user-import")
        return await relay.upload(request, "identity", path, "csv_too_large", media_type="text/csv")

    @get(
        "/jobs",
        operation_id="listOutputJobs",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_jobs(
        self,
        relay: Relaying,
        code: FromPath[str],
        status: Annotated[Status | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=LIST_MAX)] = 50,
    ) -> OutputJobList:
        """「出力一覧」: user CSV jobs and log exports together, newest first, one ステータス
        or all (「更新」 asks again)."""
        params: dict[str, Any] = {"status": status} if status else {}
        users, logs = await asyncio.gather(
            relay.ask("identity", "GET", identity_path(code), params={**params, "limit": limit}),
            relay.ask("audit", "GET", audit_path(code), params=params),
        )
        now = datetime.now().astimezone()
        items = [_from_identity(code, job) for job in _checked(users).json()["items"]]
        items += [_from_audit(code, job, now) for job in _checked(logs).json()]
        items.sort(key=lambda job: (job.created_at, job.job_id), reverse=True)
        return OutputJobList(items=items[:limit])

    @get(
        "/jobs/users/{job_id:str}",
        operation_id="getUserJob",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_user_job(
        self, relay: Relaying, code: FromPath[str], job_id: FromPath[str]
    ) -> Response[JobOut]:
        """One user CSV job with its progress (poll while 処理中)."""
        return await relay.call("identity", "GET", identity_path(code, f"/{seg(job_id)}"))

    @get(
        "/jobs/logs/{job_id:str}",
        operation_id="getLogExport",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_log_export(
        self, relay: Relaying, code: FromPath[str], job_id: FromPath[str]
    ) -> Response[ExportJob]:
        return await relay.call("audit", "GET", audit_path(code, f"/{seg(job_id)}"))

    @get(
        "/jobs/users/{job_id:str}/file",
        operation_id="downloadUserJobFile",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
        media_type="text/csv",
    )
    async def user_job_file(
        self, relay: Relaying, code: FromPath[str], job_id: FromPath[str]
    ) -> Response[bytes]:
        """「ダウンロード」 of a 完了 user CSV job within its 有効期間."""
        return await relay.download("identity", identity_path(code, f"/{seg(job_id)}/file"))

    @get(
        "/jobs/logs/{job_id:str}/file",
        operation_id="downloadLogExportFile",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
        media_type="text/csv",
    )
    async def log_export_file(
        self, relay: Relaying, code: FromPath[str], job_id: FromPath[str]
    ) -> Response[bytes]:
        """「ダウンロード」 of a 完了 log export within its 有効期間."""
        return await relay.download("audit", audit_path(code, f"/{seg(job_id)}/file"))
