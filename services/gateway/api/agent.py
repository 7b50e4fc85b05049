"""``/agent/v1``: the jump-host agent protocol (docs in services/terminals/api/agent.py),
passed through to terminals as is. The agent's credential travels untouched: only
terminals can check it, and the terminal is always the credential's."""

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from services.gateway.api.common import PRE_AUTH_BODY_LIMIT, problems
from services.gateway.gateway_context import Gateway
from services.gateway.relay import relay_stream, seg
from services.terminals.contract import (
    AGENT_PATH,
    AckOut,
    AuthorizeRequest,
    DecisionOut,
    HeartbeatOut,
    HeartbeatRequest,
    OrdersOut,
    StartRequest,
    TerminalInfo,
)
from services.terminals.contract import SessionOut as AgentSessionOut

BASE = "/agent/v1"
TAGS = ["agent"]
SECURITY: list[dict[str, list[str]]] = [{"agentToken": []}]
PROBLEMS = problems(400, 401, 404, 409, 410, 413, 503)
POLL_SLACK_S = 10.0
"""A held poll answers within its ``wait``; the call may take that much longer."""


def agent_routes(gw: Gateway) -> list[HTTPRouteHandler]:
    """The agent protocol's routes, relayed to terminals."""

    async def forward(
        request: Request[Any, Any, Any],
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Response[Any]:
        headers = {"authorization": request.headers.get("authorization", "")}
        if body is not None:
            headers["content-type"] = "application/json"
        ip = gw.ip(request)
        if ip:
            headers["x-forwarded-for"] = ip
        answer = await gw.upstreams.open(
            "terminals",
            method,
            f"{AGENT_PATH}{path}",
            None,
            content=msgspec.json.encode(body) if body is not None else None,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return await relay_stream(answer)

    @get(
        f"{BASE}/terminal",
        operation_id="agentTerminal",
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def terminal(request: Request[Any, Any, Any]) -> Response[TerminalInfo]:
        """Check the credential; learn the terminal and the protocol's timings."""
        return await forward(request, "GET", "/terminal")

    @post(
        f"{BASE}/decisions",
        operation_id="agentAuthorize",
        status_code=200,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def decide(
        request: Request[Any, Any, Any], data: JSONBody[AuthorizeRequest]
    ) -> Response[DecisionOut]:
        """May this account connect from this MAC through this terminal now? (C1)"""
        return await forward(request, "POST", "/decisions", body=data)

    @post(
        f"{BASE}/sessions",
        operation_id="agentStartSession",
        status_code=201,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def start(
        request: Request[Any, Any, Any], data: JSONBody[StartRequest]
    ) -> Response[AgentSessionOut]:
        """Report that the user of an allowed decision is now connected (「接続中」)."""
        return await forward(request, "POST", "/sessions", body=data)

    @post(
        f"{BASE}/sessions/{{session_id:str}}/end",
        operation_id="agentEndSession",
        status_code=200,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def end(
        request: Request[Any, Any, Any], session_id: FromPath[str]
    ) -> Response[AgentSessionOut]:
        """Report 「切断」."""
        return await forward(request, "POST", f"/sessions/{seg(session_id)}/end")

    @post(
        f"{BASE}/heartbeat",
        operation_id="agentHeartbeat",
        status_code=200,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def heartbeat(
        request: Request[Any, Any, Any], data: JSONBody[HeartbeatRequest]
    ) -> Response[HeartbeatOut]:
        """Report the sessions still open; learn which of them ended (C3)."""
        return await forward(request, "POST", "/heartbeat", body=data)

    @get(
        f"{BASE}/orders",
        operation_id="agentPollOrders",
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def orders(
        request: Request[Any, Any, Any],
        after: Annotated[int, QueryParameter(ge=0, description="Highest seq seen so far.")] = 0,
        wait: Annotated[
            float, QueryParameter(ge=0, le=60, description="Seconds to hold the poll.")
        ] = 20.0,
    ) -> Response[OrdersOut]:
        """The control channel: orders not yet acknowledged, held until one comes (C4)."""
        return await forward(
            request,
            "GET",
            "/orders",
            params={"after": after, "wait": wait},
            timeout=wait + POLL_SLACK_S,
        )

    @post(
        f"{BASE}/orders/{{seq:int}}/ack",
        operation_id="agentAcknowledgeOrder",
        status_code=200,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def ack(request: Request[Any, Any, Any], seq: FromPath[int]) -> Response[AckOut]:
        """Confirm an order was carried out (the session is cut). Idempotent."""
        return await forward(request, "POST", f"/orders/{seq}/ack")

    return [terminal, decide, start, end, heartbeat, orders, ack]
