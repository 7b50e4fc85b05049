"""``/api/v1/facilities/{code}/logs/{log}``: 「ログ参照」's four tabs (SPEC A1–A6) and their
「CSV出力」, relayed to audit: ``connections`` (端末接続履歴), ``signins`` (ログインログ),
``fileshare`` (ファイル共有) and ``operations`` (操作ログ)."""

from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.paths import fill
from services.audit.contract import (
    LOG_CSV_PATH,
    LOG_EXPORTS_PATH,
    LOG_PATH,
    ExportJob,
    ExportRequest,
    LogPage,
)
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY
from services.gateway.api.dependencies import ADMIN_CALLS, Relaying
from services.gateway.api.guards import admin_of_path_facility
from services.gateway.api.ordered import OrderedController

TAGS = ["logs"]
LogName = Literal["connections", "signins", "fileshare", "operations"]
Period = Annotated[
    Literal["7d", "24h", "custom"],
    QueryParameter(description="過去7日間 | 過去24時間 | カスタム期間"),
]
Day = Annotated[str | None, QueryParameter(max_length=10, description="yyyy/mm/dd")]
Filters = Annotated[
    list[Annotated[str, msgspec.Meta(max_length=500)]] | None,
    QueryParameter(name="filter", max_items=20, description="<column>:<value>, repeatable"),
]
DayFrom = Annotated[str | None, QueryParameter(name="from", max_length=10)]
DayTo = Annotated[str | None, QueryParameter(name="to", max_length=10)]


def query(
    period: str, day_from: str | None, day_to: str | None, filters: list[str] | None
) -> dict[str, Any]:
    """audit's query parameters of a log's period and filters."""
    params: dict[str, Any] = {"period": period}
    if day_from:
        params["from"] = day_from
    if day_to:
        params["to"] = day_to
    if filters:
        params["filter"] = filters
    return params


class LogsController(OrderedController):
    """A log's page, its CSV, and a full export of it."""

    path = ADMIN_BASE
    guards = (admin_of_path_facility,)
    dependencies = ADMIN_CALLS

    @get(
        "/logs/{log:str}",
        operation_id="listLogRows",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_rows(
        self,
        relay: Relaying,
        code: FromPath[str],
        log: FromPath[LogName],
        period: Period = "7d",
        day_from: DayFrom = None,
        day_to: DayTo = None,
        filters: Filters = None,
        cursor: Annotated[str | None, QueryParameter(max_length=2000)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> Response[LogPage]:
        """One page, newest first; ``X-Fumidai-Consistency`` waits for a command's events."""
        params = query(period, day_from, day_to, filters)
        params["limit"] = limit
        if cursor:
            params["cursor"] = cursor
        return await relay.call("audit", "GET", fill(LOG_PATH, code=code, log=log), params=params)

    @get(
        "/logs/{log:str}/csv",
        operation_id="logCsv",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
        media_type="text/csv",
    )
    async def log_csv(
        self,
        relay: Relaying,
        code: FromPath[str],
        log: FromPath[LogName],
        period: Period = "7d",
        day_from: DayFrom = None,
        day_to: DayTo = None,
        filters: Filters = None,
    ) -> Response[bytes]:
        """「CSV出力」: at most 1,000 rows; ``Fumidai-Csv-Truncated: true`` when more matched."""
        return await relay.download(
            "audit",
            fill(LOG_CSV_PATH, code=code, log=log),
            params=query(period, day_from, day_to, filters),
        )

    @post(
        "/logs/{log:str}/exports",
        operation_id="requestLogExport",
        status_code=202,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def request_export(
        self,
        relay: Relaying,
        code: FromPath[str],
        log: FromPath[LogName],
        data: JSONBody[ExportRequest],
    ) -> Response[ExportJob]:
        """The full export of the current query, listed in 出力一覧 (A5)."""
        path = fill(LOG_EXPORTS_PATH, code=code, log=log)
        return await relay.call("audit", "POST", path, json=msgspec.to_builtins(data))
