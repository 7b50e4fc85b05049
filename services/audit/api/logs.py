"""The logs of 「ログ参照」 (SPEC A3–A6): a page, its 「CSV出力」, and 操作ログ's newest rows."""

from datetime import datetime
from types import MappingProxyType
from typing import Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import Provide
from litestar.params import FromPath, FromQuery

from libs.runtime.app import Injected
from services.audit.api.parameters import (
    CSV_TYPE,
    FACILITY_GUARDS,
    Consistency,
    Limit,
    attachment,
    current_query,
)
from services.audit.app.log_queries import LogQueries
from services.audit.contract import (
    LOG_CSV_PATH,
    LOG_PATH,
    OPERATIONS_PATH,
    ExportRequest,
    LogPage,
)

TRUNCATED_HEADER = "Fumidai-Csv-Truncated"
"""``true`` when more rows matched than the CSV holds (A5): offer the full export."""
ROWS_HEADER = "Fumidai-Csv-Rows"


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


class LogsController(Controller):
    """A facility's logs, for its admins and operators."""

    path = "/"
    guards = FACILITY_GUARDS
    dependencies = MappingProxyType({"current": Provide(current_query, sync_to_thread=False)})

    @get(LOG_PATH, operation_id="listLogRows")
    async def list_rows(
        self,
        code: FromPath[str],
        log: FromPath[str],
        current: Injected[ExportRequest],
        queries: Injected[LogQueries],
        cursor: FromQuery[str | None] = None,
        limit: Limit = 50,
        consistency: Consistency = None,
    ) -> LogPage:
        """One page of a log, newest first (A3, A4, A6)."""
        query = await queries.query(code, log, current)
        return await queries.page(query, limit, cursor, consistency)

    @get(LOG_CSV_PATH, operation_id="logCsv")
    async def log_csv(
        self,
        code: FromPath[str],
        log: FromPath[str],
        current: Injected[ExportRequest],
        queries: Injected[LogQueries],
    ) -> Response[bytes]:
        """「CSV出力」: the current query, newest first, at most 1,000 rows (A5)."""
        query = await queries.query(code, log, current)
        body, rows, beyond = await queries.csv(query)
        return Response(
            content=body,
            media_type=CSV_TYPE,
            headers={
                "Content-Disposition": attachment(
                    query.spec.label, queries.now().astimezone(query.tz), query.spec.key
                ),
                TRUNCATED_HEADER: "true" if beyond else "false",
                ROWS_HEADER: str(rows),
            },
        )

    @get(OPERATIONS_PATH, operation_id="listOperations")
    async def list_operations(
        self,
        code: FromPath[str],
        queries: Injected[LogQueries],
        limit: Limit = 50,
        consistency: Consistency = None,
    ) -> list[Operation]:
        """操作ログ's newest rows, unpaged (kept for early callers; see ``/logs/operations``)."""
        rows = await queries.recent_operations(code, limit, consistency)
        return [Operation(**row) for row in rows]
