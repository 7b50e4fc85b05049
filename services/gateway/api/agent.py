"""``/agent/v1``: the jump-host agent protocol (docs in services/terminals/api/agent.py),
passed through to terminals as is. The agent's credential travels untouched: only
terminals can check it, and the terminal is always the credential's."""

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.app import Injected
from services.gateway.adapters.upstreams import Upstreams
from services.gateway.api.common import PRE_AUTH_BODY_LIMIT, problems
from services.gateway.api.dependencies import ClientIp, UpstreamClients
from services.gateway.api.ordered import OrderedController
from services.gateway.api.relay import relay_stream, seg
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


@dataclass(frozen=True)
class AgentRelay:
    """One agent request, passed to terminals as it is: its credential untouched (only
    terminals can check it), its address as the gateway believes it."""

    request: Request[Any, Any, Any]
    upstreams: Upstreams
    client_ip: str | None

    async def forward(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Response[Any]:
        """Call terminals' agent API at ``path`` and stream its answer through."""
        headers = {"authorization": self.request.headers.get("authorization", "")}
        if body is not None:
            headers["content-type"] = "application/json"
        if self.client_ip:
            headers["x-forwarded-for"] = self.client_ip
        answer = await self.upstreams.open(
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


async def provide_agent_relay(
    request: Request[Any, Any, Any], upstreams: UpstreamClients, client_ip: ClientIp
) -> AgentRelay:
    return AgentRelay(request, upstreams, client_ip)


Agent = Injected[AgentRelay]
AGENT_CALLS = {"agent": Provide(provide_agent_relay)}


class AgentController(OrderedController):
    """The agent protocol's routes, relayed to terminals."""

    path = BASE
    dependencies = AGENT_CALLS

    @get(
        "/terminal",
        operation_id="agentTerminal",
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def terminal(self, agent: Agent) -> Response[TerminalInfo]:
        """Check the credential; learn the terminal and the protocol's timings."""
        return await agent.forward("GET", "/terminal")

    @post(
        "/decisions",
        operation_id="agentAuthorize",
        status_code=200,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def decide(self, agent: Agent, data: JSONBody[AuthorizeRequest]) -> Response[DecisionOut]:
        """May this account connect from this MAC through this terminal now? (C1)"""
        return await agent.forward("POST", "/decisions", body=data)

    @post(
        "/sessions",
        operation_id="agentStartSession",
        status_code=201,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def start(self, agent: Agent, data: JSONBody[StartRequest]) -> Response[AgentSessionOut]:
        """Report that the user of an allowed decision is now connected (「接続中」)."""
        return await agent.forward("POST", "/sessions", body=data)

    @post(
        "/sessions/{session_id:str}/end",
        operation_id="agentEndSession",
        status_code=200,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def end(self, agent: Agent, session_id: FromPath[str]) -> Response[AgentSessionOut]:
        """Report 「切断」."""
        return await agent.forward("POST", f"/sessions/{seg(session_id)}/end")

    @post(
        "/heartbeat",
        operation_id="agentHeartbeat",
        status_code=200,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def heartbeat(
        self, agent: Agent, data: JSONBody[HeartbeatRequest]
    ) -> Response[HeartbeatOut]:
        """Report the sessions still open; learn which of them ended (C3)."""
        return await agent.forward("POST", "/heartbeat", body=data)

    @get(
        "/orders",
        operation_id="agentPollOrders",
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def orders(
        self,
        agent: Agent,
        after: Annotated[int, QueryParameter(ge=0, description="Highest seq seen so far.")] = 0,
        wait: Annotated[
            float, QueryParameter(ge=0, le=60, description="Seconds to hold the poll.")
        ] = 20.0,
    ) -> Response[OrdersOut]:
        """The control channel: orders not yet acknowledged, held until one comes (C4)."""
        return await agent.forward(
            "GET",
            "/orders",
            params={"after": after, "wait": wait},
            timeout=wait + POLL_SLACK_S,
        )

    @post(
        "/orders/{seq:int}/ack",
        operation_id="agentAcknowledgeOrder",
        status_code=200,
        tags=TAGS,
        security=SECURITY,
        responses=PROBLEMS,
        request_max_body_size=PRE_AUTH_BODY_LIMIT,
    )
    async def ack(self, agent: Agent, seq: FromPath[int]) -> Response[AckOut]:
        """Confirm an order was carried out (the session is cut). Idempotent."""
        return await agent.forward("POST", f"/orders/{seq}/ack")
