"""audit's internal HTTP API: the logs, always scoped to the caller's facility."""

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Litestar, get
from litestar.params import FromPath, QueryParameter

from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from libs.runtime.internal_auth import Caller, require_role
from libs.runtime.problems import NotFound


class Operation(msgspec.Struct, frozen=True, kw_only=True):
    """One row of 操作ログ."""

    event_id: str
    occurred_at: datetime
    actor_id: str
    actor_role: str
    actor_ip: str | None
    action: str
    target_type: str
    target_id: str
    detail: dict[str, Any]


def create_app(backbone: Backbone) -> Litestar:
    """The Litestar app of audit, started and stopped with its backbone."""

    @get("/internal/v1/facilities/{code:str}/operations", operation_id="listOperations")
    async def list_operations(
        code: FromPath[str],
        claims: Caller,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[Operation]:
        require_role(claims, "admin", "operator")
        if not claims.may_act_in(code):
            raise NotFound()  # SPEC T3: another facility's log looks missing
        rows = await backbone.pool.fetch(
            """SELECT event_id::text, occurred_at, actor_id, actor_role, actor_ip, action,
                      target_type, target_id, detail::text
               FROM operations_log WHERE facility = $1
               ORDER BY occurred_at DESC, event_id DESC LIMIT $2""",
            code,
            limit,
        )
        return [
            Operation(**{**dict(row), "detail": msgspec.json.decode(row["detail"])}) for row in rows
        ]

    return service_app(backbone, [list_operations])
