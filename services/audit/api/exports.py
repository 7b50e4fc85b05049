"""Full exports (SPEC A5 beyond): queue one, 「出力一覧」, and the file while it is valid."""

from collections.abc import AsyncIterator
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from libs.runtime.app import Injected
from libs.runtime.internal_auth import Caller
from services.audit import messages as m
from services.audit.api.parameters import CSV_TYPE, FACILITY_GUARDS, attachment
from services.audit.app.exports import Exports
from services.audit.app.log_queries import LogQueries
from services.audit.contract import (
    EXPORT_FILE_PATH,
    EXPORT_PATH,
    EXPORTS_PATH,
    LOG_EXPORTS_PATH,
    ExportJob,
    ExportRequest,
)


class ExportsController(Controller):
    """A facility's full exports, for its admins and operators."""

    path = "/"
    guards = FACILITY_GUARDS

    @post(LOG_EXPORTS_PATH, operation_id="requestLogExport", status_code=202)
    async def request_export(
        self,
        code: FromPath[str],
        log: FromPath[str],
        claims: Caller,
        data: JSONBody[ExportRequest],
        queries: Injected[LogQueries],
        exports: Injected[Exports],
    ) -> ExportJob:
        """Queue a full export of the current query, without the CSV's cap (A5 beyond)."""
        query = await queries.query(code, log, data)
        return await exports.request(query, claims.sub)

    @get(EXPORTS_PATH, operation_id="listLogExports")
    async def list_exports(
        self,
        code: FromPath[str],
        exports: Injected[Exports],
        status: Annotated[
            str | None, QueryParameter(description="queued | running | done | failed")
        ] = None,
    ) -> list[ExportJob]:
        """The facility's full exports still within 有効期間, newest first (出力一覧)."""
        return await exports.list_jobs(code, status)

    @get(EXPORT_PATH, operation_id="getLogExport")
    async def get_export(
        self, code: FromPath[str], job_id: FromPath[str], exports: Injected[Exports]
    ) -> ExportJob:
        return await exports.get(code, job_id)

    @get(EXPORT_FILE_PATH, operation_id="downloadLogExport")
    async def download_export(
        self,
        code: FromPath[str],
        job_id: FromPath[str],
        exports: Injected[Exports],
        queries: Injected[LogQueries],
    ) -> Stream:
        """The export's file, streamed chunk by chunk while it is valid (「ダウンロード」)."""
        job, chunks = await exports.open(code, job_id)
        stamp = await queries.local_time(code, job.completed_at or job.created_at)

        async def body() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                yield chunk

        return Stream(
            body(),
            media_type=CSV_TYPE,
            headers={
                "Content-Disposition": attachment(m.LOG_LABELS[job.log], stamp, job.log),
                "Content-Length": str(job.file_size or 0),
            },
        )
