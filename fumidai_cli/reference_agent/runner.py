"""A jump host's agent: asks before each connection, reports its sessions, follows its
control channel and acknowledges every order it carries out.

The agent keeps the highest order number it has seen (its cursor) and polls for what
comes after it; the server keeps each order until acknowledged. So a reconnect, or a
restart with no memory at all, loses no order, and a connected agent never sees one twice.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from fumidai_cli.reference_agent.client import (
    AgentApiError,
    AgentClient,
    CredentialRejected,
    TerminalDeleted,
)
from libs.aio.tasks import cancel_and_wait
from services.terminals.contract import AgentOrder, DecisionOut, TerminalInfo

log = logging.getLogger("fumidai.agent")

CutSession = Callable[[str, str], Awaitable[None]]
"""``(session_id, why)``: disconnect the user's remote session on this jump host."""


async def _log_cut(session_id: str, why: str) -> None:
    log.info("session %s cut: %s", session_id, why)


@dataclass
class LiveSession:
    session_id: str
    account: str
    mac: str


@dataclass
class AgentState:
    """What an agent knows, for its owner (and tests) to look at."""

    live: dict[str, LiveSession] = field(default_factory=dict)
    cursor: int = 0
    """Highest order number seen."""
    orders: list[AgentOrder] = field(default_factory=list)
    """Every order received, in order (an order is carried out once)."""
    cut: dict[str, str] = field(default_factory=dict)
    """Sessions cut on the server's word, with why."""
    stopped_because: str | None = None


class JumpHostAgent:
    """Runs a terminal's agent on ``client``; ``cut`` is what disconnects a user."""

    def __init__(
        self,
        client: AgentClient,
        *,
        cut: CutSession = _log_cut,
        poll_wait: float = 20.0,
        heartbeat_interval: float | None = None,
        backoff_max: float = 5.0,
    ) -> None:
        self.client = client
        self.state = AgentState()
        self.info: TerminalInfo | None = None
        self._cut = cut
        self._poll_wait = poll_wait
        self._heartbeat_interval = heartbeat_interval
        self._backoff_max = backoff_max
        self._tasks: list[asyncio.Task[None]] = []
        self._carried_out: set[int] = set()

    async def start(self) -> TerminalInfo:
        """Check the credential, then follow the control channel and send heartbeats."""
        self.info = await self.client.terminal()
        interval = self._heartbeat_interval or self.info.heartbeat_interval_s
        self._poll_wait = min(self._poll_wait, self.info.poll_wait_max_s)
        self._tasks = [
            asyncio.create_task(self._follow_orders(), name="agent-orders"),
            asyncio.create_task(self._beat(interval), name="agent-heartbeat"),
        ]
        return self.info

    async def stop(self) -> None:
        await cancel_and_wait(*self._tasks)
        self._tasks = []

    @property
    def running(self) -> bool:
        return bool(self._tasks) and all(not task.done() for task in self._tasks)

    async def connect(self, account: str, mac: str) -> tuple[DecisionOut, LiveSession | None]:
        """Ask whether ``account`` may connect from ``mac``; when allowed, report the start."""
        decision = await self.client.authorize(account, mac)
        if not decision.allowed:
            return decision, None
        started = await self.client.start(decision.decision_id)
        session = LiveSession(started.session_id, started.account, mac)
        self.state.live[session.session_id] = session
        return decision, session

    async def disconnect(self, session_id: str) -> str:
        """Report 「切断」; returns the state the server gives the session."""
        self.state.live.pop(session_id, None)
        return (await self.client.end(session_id)).state

    async def heartbeat(self) -> list[str]:
        """Report the live sessions now; cut those the server says ended. Returns them."""
        out = await self.client.heartbeat(list(self.state.live))
        for session_id in out.ended:
            await self._cut_locally(session_id, "ended on the server")
        return out.ended

    async def _cut_locally(self, session_id: str, why: str) -> None:
        if self.state.live.pop(session_id, None) is not None:
            self.state.cut[session_id] = why
            await self._cut(session_id, why)

    async def _follow_orders(self) -> None:
        delay = 0.1
        while True:
            try:
                out = await self.client.poll(self.state.cursor, self._poll_wait)
                for order in out.orders:
                    await self._carry_out(order)
                delay = 0.1
            except TerminalDeleted:
                for session_id in list(self.state.live):
                    await self._cut_locally(session_id, "terminal deleted")
                self.state.stopped_because = "terminal_deleted"
                return
            except CredentialRejected:
                self.state.stopped_because = "credential_rejected"
                return
            except (httpx.TransportError, AgentApiError) as error:
                # The server or the network is away: reconnect with backoff; the cursor
                # and the server's pending orders make the reconnect lossless.
                log.warning("control channel: %r; again in %.1fs", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max)

    async def _carry_out(self, order: AgentOrder) -> None:
        if order.seq not in self._carried_out:
            self.state.orders.append(order)
            why = "強制切断" if order.cause == "force_closed" else "利用者削除"
            await self._cut_locally(order.session_id, why)
            self._carried_out.add(order.seq)
        await self.client.ack(order.seq)
        self.state.cursor = max(self.state.cursor, order.seq)

    async def _beat(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.heartbeat()
            except (httpx.TransportError, AgentApiError) as error:
                log.warning("heartbeat: %r", error)
