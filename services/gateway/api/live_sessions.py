"""``/api/v1/facilities/{code}/sessions``: the facility's live sessions and 「強制切断」
(SPEC A6, C4), relayed to terminals, which owns sessions."""

from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.paths import fill
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY
from services.gateway.api.dependencies import ADMIN_CALLS, Relaying
from services.gateway.api.guards import admin_of_path_facility
from services.gateway.api.ordered import OrderedController
from services.gateway.api.relay import seg
from services.terminals.contract import FACILITY_PATH, ForceClosed, ForceCloseRequest, SessionView

TAGS = ["sessions"]


def upstream(code: str, rest: str = "") -> str:
    """terminals' path of the facility's sessions, and ``rest`` under it."""
    return fill(FACILITY_PATH, code=code) + "/sessions" + rest


class LiveSessionsController(OrderedController):
    """The facility's 接続中 sessions and 「強制切断」."""

    path = f"{ADMIN_BASE}/sessions"
    guards = (admin_of_path_facility,)
    dependencies = ADMIN_CALLS

    @get(
        "",
        operation_id="listLiveSessions",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def live_sessions(
        self,
        relay: Relaying,
        code: FromPath[str],
        terminal_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> Response[list[SessionView]]:
        """The facility's 接続中 sessions, newest first; each offers 「強制切断」 (A6)."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if terminal_id:
            params["terminal_id"] = terminal_id
        return await relay.call("terminals", "GET", upstream(code), params=params)

    @get(
        "/{session_id:str}",
        operation_id="getLiveSession",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_session(
        self, relay: Relaying, code: FromPath[str], session_id: FromPath[str]
    ) -> Response[SessionView]:
        return await relay.call("terminals", "GET", upstream(code, f"/{seg(session_id)}"))

    @post(
        "/{session_id:str}/force-close",
        operation_id="forceCloseSession",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def force_close(
        self,
        relay: Relaying,
        code: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[ForceCloseRequest],
    ) -> Response[ForceClosed]:
        """「強制切断」: the agent is ordered to cut it and acknowledges (C4)."""
        path = upstream(code, f"/{seg(session_id)}/force-close")
        return await relay.call("terminals", "POST", path, json=msgspec.to_builtins(data))
