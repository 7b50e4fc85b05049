"""audit's internal HTTP API: the logs, their CSV and full exports (SPEC A1–A7).

Every route is scoped to the facility in the path, which the caller's token must name
(operators may name any): another facility's log, export or file answers 404 exactly as
a missing one (SPEC T3), and every statement filters by that facility itself.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

import asyncpg
import msgspec
from litestar import Litestar, Response, get, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.response import Stream

from libs.events.clock import Clock
from libs.events.consistency import wait_for_event
from libs.runtime.app import CONSISTENCY_HEADER, CONSISTENCY_WAIT_S, service_app
from libs.runtime.backbone import Backbone
from libs.runtime.internal_auth import Caller, Claims, require_role
from libs.runtime.problems import NotFound
from services.audit import messages as m
from services.audit.contract import (
    EXPORT_FILE_PATH,
    EXPORT_PATH,
    EXPORTS_PATH,
    LOG_CSV_PATH,
    LOG_EXPORTS_PATH,
    LOG_PATH,
    ColumnOut,
    ExportJob,
    ExportRequest,
    LogPage,
    PeriodOut,
)
from services.audit.exports import Exports
from services.audit.logs import LOGS
from services.audit.queries import (
    Query,
    count_beyond,
    csv_bytes,
    facility_time_zone,
    fetch_page,
    parse_filters,
    resolve_period,
)
from services.audit.retention import Retention
from services.audit.rows import log_row
from services.audit.settings import AuditOwn

CSV_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to text types
TRUNCATED_HEADER = "Fumidai-Csv-Truncated"
"""``true`` when more rows matched than the CSV holds (A5): offer the full export."""
ROWS_HEADER = "Fumidai-Csv-Rows"

Period = Annotated[str, QueryParameter(description="7d (default) | 24h | custom")]
DayFrom = Annotated[
    str | None, QueryParameter(name="from", description="カスタム期間 FROM, yyyy/mm/dd")
]
DayTo = Annotated[str | None, QueryParameter(name="to", description="カスタム期間 TO, yyyy/mm/dd")]
Consistency = Annotated[
    str | None,
    HeaderParameter(name=CONSISTENCY_HEADER, description="event id to wait for (read-your-writes)"),
]
Filters = Annotated[
    list[str] | None,
    QueryParameter(name="filter", description="<column>:<value>, repeatable (AND)"),
]


class Operation(msgspec.Struct, frozen=True, kw_only=True):
    """One row of 操作ログ, as the first version of this route gave it."""

    event_id: str
    occurred_at: datetime
    actor_id: str
    actor_role: str
    actor_ip: str | None
    action: str
    target_type: str
    target_id: str
    detail: dict[str, Any]
    description: str
    target: str


class PurgeOut(msgspec.Struct, frozen=True, kw_only=True):
    ran: bool
    deleted: dict[str, int]


def _facility(claims: Claims, code: str) -> None:
    require_role(claims, "admin", "operator")
    if not claims.may_act_in(code):
        raise NotFound()  # SPEC T3: another facility's looks missing


def _file_name(label: str, stamp: datetime, log: str) -> str:
    local = stamp.strftime("%Y%m%d%H%M%S")
    ascii_name = f"audit-{log}-{local}.csv"
    return (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(f'{label}_{local}.csv')}"
    )


def create_app(backbone: Backbone, own: AuditOwn, clock: Clock) -> Litestar:
    """The Litestar app of audit, started and stopped with its backbone and workers."""

    # The pool opens when the app starts: hand over how to get it, not the pool itself.
    def pool() -> asyncpg.Pool:
        return backbone.pool

    exports = Exports(pool, own, clock)
    retention = Retention(pool, own, backbone.events, backbone.projections, clock)

    async def query_of(
        code: str,
        log: str,
        period: str,
        day_from: str | None,
        day_to: str | None,
        filters: list[str] | None,
    ) -> Query:
        spec = LOGS.get(log)
        if spec is None:
            raise NotFound("log_not_found", m.message("log_not_found"))
        tz = await facility_time_zone(backbone.pool, code)
        return Query(
            spec=spec,
            facility=code,
            tz=tz,
            period=resolve_period(period, day_from, day_to, tz, clock()),
            filters=tuple(parse_filters(spec, filters or [])),
        )

    async def settle(token: str | None, projection: str) -> None:
        """Read-your-writes: wait (bounded) until the projection read from has the token's
        event. The app's own wait stops at the first projection that has it; audit's
        directory may be ahead of the log asked for."""
        if not token:
            return
        try:
            uuid.UUID(token)
        except ValueError:
            return  # names no event: nothing to wait for, as the app's own wait does
        await wait_for_event(backbone.pool, token, CONSISTENCY_WAIT_S, projection)

    @get(LOG_PATH, operation_id="listLogRows")
    async def list_rows(
        code: FromPath[str],
        log: FromPath[str],
        claims: Caller,
        period: Period = "7d",
        day_from: DayFrom = None,
        day_to: DayTo = None,
        filters: Filters = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        consistency: Consistency = None,
    ) -> LogPage:
        """One page of a log, newest first (A3, A4, A6)."""
        _facility(claims, code)
        query = await query_of(code, log, period, day_from, day_to, filters)
        await settle(consistency, query.spec.projection)
        first = cursor is None
        page = await fetch_page(
            backbone.pool, query, limit, cursor, count_up_to=own.csv_max_rows if first else None
        )
        now = clock()
        return LogPage(
            log=query.spec.key,
            label=query.spec.label,
            time_zone=query.tz.key,
            period=PeriodOut(
                preset=query.period.preset,
                label=m.PERIOD_LABELS[query.period.preset],
                start=query.period.start,
                end=query.period.end,
            ),
            columns=[ColumnOut(key=c.key, label=c.label) for c in query.spec.columns],
            rows=[
                log_row(query.spec.key, record, cells, now)
                for record, cells in zip(page.rows, page.cells, strict=True)
            ],
            next_cursor=page.next_cursor,
            csv_limit=own.csv_max_rows,
            more_than_csv_limit=page.beyond,
        )

    @get(LOG_CSV_PATH, operation_id="logCsv")
    async def log_csv(
        code: FromPath[str],
        log: FromPath[str],
        claims: Caller,
        period: Period = "7d",
        day_from: DayFrom = None,
        day_to: DayTo = None,
        filters: Filters = None,
    ) -> Response[bytes]:
        """「CSV出力」: the current query, newest first, at most 1,000 rows (A5)."""
        _facility(claims, code)
        query = await query_of(code, log, period, day_from, day_to, filters)
        async with backbone.pool.acquire() as conn:
            body, rows = await csv_bytes(conn, query, own.csv_max_rows)
            beyond = await count_beyond(conn, query, own.csv_max_rows)
        return Response(
            content=body,
            media_type=CSV_TYPE,
            headers={
                "Content-Disposition": _file_name(
                    query.spec.label, clock().astimezone(query.tz), query.spec.key
                ),
                TRUNCATED_HEADER: "true" if beyond else "false",
                ROWS_HEADER: str(rows),
            },
        )

    @post(
        LOG_EXPORTS_PATH,
        operation_id="requestLogExport",
        status_code=202,
    )
    async def request_export(
        code: FromPath[str], log: FromPath[str], claims: Caller, data: JSONBody[ExportRequest]
    ) -> ExportJob:
        """Queue a full export of the current query, without the CSV's cap (A5 beyond)."""
        _facility(claims, code)
        query = await query_of(code, log, data.period, data.day_from, data.day_to, data.filters)
        return await exports.request(query, claims.sub)

    @get(EXPORTS_PATH, operation_id="listLogExports")
    async def list_exports(
        code: FromPath[str],
        claims: Caller,
        status: Annotated[
            str | None, QueryParameter(description="queued | running | done | failed")
        ] = None,
    ) -> list[ExportJob]:
        """The facility's full exports still within 有効期間, newest first (出力一覧)."""
        _facility(claims, code)
        return await exports.list_jobs(code, status)

    @get(EXPORT_PATH, operation_id="getLogExport")
    async def get_export(code: FromPath[str], job_id: FromPath[str], claims: Caller) -> ExportJob:
        _facility(claims, code)
        return await exports.get(code, job_id)

    @get(
        EXPORT_FILE_PATH,
        operation_id="downloadLogExport",
    )
    async def download_export(code: FromPath[str], job_id: FromPath[str], claims: Caller) -> Stream:
        """The export's file, streamed chunk by chunk while it is valid (「ダウンロード」)."""
        _facility(claims, code)
        job, chunks = await exports.open(code, job_id)
        tz = await facility_time_zone(backbone.pool, code)
        stamp = (job.completed_at or job.created_at).astimezone(tz)

        async def body() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                yield chunk

        return Stream(
            body(),
            media_type=CSV_TYPE,
            headers={
                "Content-Disposition": _file_name(m.LOG_LABELS[job.log], stamp, job.log),
                "Content-Length": str(job.file_size or 0),
            },
        )

    @post("/internal/v1/operator/audit/purge", operation_id="purgeLogs", status_code=200)
    async def purge_now(claims: Caller) -> PurgeOut:
        """Run the retention purge now (A2), as the daily schedule would (operators)."""
        require_role(claims, "operator")
        report = await retention.purge()
        return PurgeOut(ran=report.ran, deleted=report.deleted)

    @get("/internal/v1/facilities/{code:str}/operations", operation_id="listOperations")
    async def list_operations(
        code: FromPath[str],
        claims: Caller,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        consistency: Consistency = None,
    ) -> list[Operation]:
        """操作ログ's newest rows, unpaged (kept for early callers; see ``/logs/operations``)."""
        _facility(claims, code)
        await settle(consistency, LOGS["operations"].projection)
        rows = await backbone.pool.fetch(
            """SELECT event_id::text, occurred_at, actor_id, actor_role, actor_ip, action,
                      target_type, target_id, detail::text, description, target
               FROM operations_log WHERE facility = $1
               ORDER BY occurred_at DESC, event_id DESC LIMIT $2""",
            code,
            limit,
        )
        return [
            Operation(**{**dict(row), "detail": msgspec.json.decode(row["detail"])}) for row in rows
        ]

    async def start_workers() -> None:
        exports.start()
        if own.purge_enabled:
            retention.start()

    async def stop_workers() -> None:
        await retention.stop()
        await exports.stop()

    return service_app(
        backbone,
        [
            list_rows,
            log_csv,
            request_export,
            list_exports,
            get_export,
            download_export,
            purge_now,
            list_operations,
        ],
        on_startup=[start_workers],
        on_shutdown=[stop_workers],
    )
