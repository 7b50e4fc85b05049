"""The jump-host agent protocol, ``/agent/v1`` (see ``docs/agent-protocol.md``).

Served by the terminals service; the gateway exposes it publicly as is. Every call
carries the terminal's agent credential (``Authorization: Bearer fta1.…``); the terminal
is the credential's, never something the agent says.
"""

import asyncio
import contextlib
from collections.abc import Awaitable
from datetime import timedelta
from types import MappingProxyType
from typing import Annotated, Any, TypeVar

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.app import Injected
from libs.runtime.source_address import source_ip
from services.terminals.adapters.agent_credentials import AgentCredentials
from services.terminals.adapters.heartbeats import record_heartbeat
from services.terminals.api.provided import Channel, Db, Decisions, Facts, NewUnitOfWork, Now, Own
from services.terminals.app.connections import (
    acknowledge_order,
    authorize,
    end_session,
    start_session,
)
from services.terminals.contract import (
    AGENT_PATH,
    AckOut,
    AuthorizeRequest,
    DecisionOut,
    HeartbeatOut,
    HeartbeatRequest,
    OrdersOut,
    SessionOut,
    StartRequest,
    TerminalInfo,
)
from services.terminals.domain.credentials import Agent
from services.terminals.messages import message
from services.terminals.settings import TerminalsOwn

T = TypeVar("T")

AgentCaller = Injected[Agent]
"""Annotate a handler parameter ``agent: AgentCaller`` to receive the calling agent."""
SECURITY: list[dict[str, list[str]]] = [{"agentToken": []}]

HEARTBEAT_INTERVAL_S = 60.0
"""How often agents are asked to report their live sessions (a fifth of the timeout)."""


async def _hung_up(request: Request[Any, Any, Any]) -> None:
    """Return when the client closes the connection (ASGI ``http.disconnect``)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _unless_hung_up(request: Request[Any, Any, Any], work: Awaitable[T]) -> T | None:
    """``work``'s result, or None as soon as the client has gone: a held poll of an agent
    that reconnected must not sit on the server until its wait is over."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_hung_up(request))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, gone):
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
    return task.result() if not task.cancelled() else None


def _ip(request: Request[Any, Any, Any], own: TerminalsOwn) -> str | None:
    # Behind the gateway the peer is the gateway; it forwards the agent's address.
    return source_ip(request, own.trusted_proxies)


async def calling_agent(
    request: Request[Any, Any, Any], credentials: Injected[AgentCredentials]
) -> Agent:
    """The agent whose credential the request carries; 401 without a live one."""
    return await credentials.authenticate(request.headers.get("authorization", ""))


class AgentController(Controller):
    """The agent protocol's routes."""

    path = AGENT_PATH
    tags = ("agent",)
    security = SECURITY
    dependencies = MappingProxyType({"agent": Provide(calling_agent)})

    @get("/terminal", operation_id="agentTerminal")
    async def terminal(self, agent: AgentCaller, own: Own, clock: Now) -> TerminalInfo:
        """Check the credential; learn the terminal and the protocol's timings."""
        return TerminalInfo(
            terminal_id=agent.terminal_id,
            name=agent.terminal_name,
            facility=agent.facility,
            server_time=clock(),
            heartbeat_interval_s=min(HEARTBEAT_INTERVAL_S, own.heartbeat_timeout_s / 5),
            heartbeat_timeout_s=own.heartbeat_timeout_s,
            poll_wait_max_s=own.poll_wait_max_s,
        )

    @post("/decisions", operation_id="agentAuthorize", status_code=200)
    async def decide(
        self,
        agent: AgentCaller,
        data: JSONBody[AuthorizeRequest],
        request: Request[Any, Any, Any],
        own: Own,
        clock: Now,
        facts: Facts,
        decisions: Decisions,
    ) -> DecisionOut:
        """May this account connect from this MAC through this terminal now? Every call is
        recorded, allowed or not (SPEC C1); the time is the server's."""
        decision = await authorize(
            agent,
            data.account,
            data.mac,
            read_facts=facts.read,
            record=decisions.record,
            now=clock(),
            ip=_ip(request, own),
        )
        reason = decision.verdict.reason
        return DecisionOut(
            decision_id=decision.decision_id,
            allowed=decision.verdict.allowed,
            reason=reason,
            message=message(reason) if reason else None,
        )

    @post("/sessions", operation_id="agentStartSession", status_code=201)
    async def start(
        self,
        agent: AgentCaller,
        data: JSONBody[StartRequest],
        request: Request[Any, Any, Any],
        own: Own,
        clock: Now,
        new_uow: NewUnitOfWork,
    ) -> SessionOut:
        """Report that the user of an allowed decision is now connected (「接続中」).
        Reporting the same decision again returns the same session."""
        started = await start_session(
            agent,
            data.decision_id,
            new_uow(),
            now=clock(),
            grant_ttl=timedelta(seconds=own.grant_ttl_s),
            ip=_ip(request, own),
        )
        return SessionOut(
            session_id=started.session_id, account=started.account, state=started.state
        )

    @post("/sessions/{session_id:str}/end", operation_id="agentEndSession", status_code=200)
    async def end(
        self,
        agent: AgentCaller,
        session_id: FromPath[str],
        request: Request[Any, Any, Any],
        own: Own,
        clock: Now,
        new_uow: NewUnitOfWork,
    ) -> SessionOut:
        """Report 「切断」. A session already ended (force-closed, timed out) stays so."""
        ended = await end_session(agent, session_id, new_uow(), now=clock(), ip=_ip(request, own))
        return SessionOut(session_id=ended.session_id, account=ended.account, state=ended.state)

    @post("/heartbeat", operation_id="agentHeartbeat", status_code=200)
    async def heartbeat(
        self, agent: AgentCaller, data: JSONBody[HeartbeatRequest], db: Db, clock: Now
    ) -> HeartbeatOut:
        """Report the sessions still open; learn which of them ended here (SPEC C3)."""
        now = clock()
        reported = list(dict.fromkeys(data.sessions))
        live = await record_heartbeat(db, agent.terminal_id, reported, now)
        return HeartbeatOut(
            live=[s for s in reported if s in live],
            ended=[s for s in reported if s not in live],
            server_time=now,
        )

    @get("/orders", operation_id="agentPollOrders")
    async def orders(
        self,
        agent: AgentCaller,
        request: Request[Any, Any, Any],
        own: Own,
        channel: Channel,
        after: Annotated[int, QueryParameter(ge=0, description="Highest seq seen so far.")] = 0,
        wait: Annotated[
            float, QueryParameter(ge=0, le=60, description="Seconds to hold the poll.")
        ] = 20.0,
    ) -> OrdersOut:
        """The control channel: orders after ``after`` not yet acknowledged, held until one
        comes or ``wait`` is over. Orders stay until acknowledged, so a reconnect loses
        none; ``after`` keeps a connected agent from seeing one twice."""
        found = await _unless_hung_up(
            request, channel.orders(agent.terminal_id, after, min(wait, own.poll_wait_max_s))
        )
        found = found or []
        return OrdersOut(orders=found, cursor=max([after, *(o.seq for o in found)]))

    @post("/orders/{seq:int}/ack", operation_id="agentAcknowledgeOrder", status_code=200)
    async def ack(
        self,
        agent: AgentCaller,
        seq: FromPath[int],
        request: Request[Any, Any, Any],
        own: Own,
        clock: Now,
        new_uow: NewUnitOfWork,
    ) -> AckOut:
        """Confirm an order was carried out (the session is cut). Idempotent."""
        first = await acknowledge_order(agent, seq, new_uow(), now=clock(), ip=_ip(request, own))
        return AckOut(seq=seq, first=first)
