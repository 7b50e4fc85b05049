"""Simulated users of one jump host, for demo data and load: each connects, stays a while,
disconnects, pauses and starts again, through a ``JumpHostAgent``."""

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from fumidai_cli.reference_agent.client import AgentApiError
from fumidai_cli.reference_agent.runner import JumpHostAgent


@dataclass(frozen=True)
class SimulatedUser:
    account: str
    mac: str


@dataclass
class SimulationReport:
    decisions: Counter[str] = field(default_factory=Counter)
    """By reason; ``allowed`` for allowed ones."""
    started: int = 0
    ended: int = 0
    cut_by_server: int = 0
    errors: int = 0


async def simulate(
    agent: JumpHostAgent,
    users: list[SimulatedUser],
    count: int,
    *,
    duration: float | None = None,
    stay: tuple[float, float] = (2.0, 20.0),
    pause: tuple[float, float] = (1.0, 5.0),
    seed: int | None = None,
) -> SimulationReport:
    """Play ``count`` users, taken in turn from ``users``, until ``duration`` seconds pass
    (or forever), when every one still connected disconnects. Sessions the server ends
    meanwhile (force close, deletion) are counted as cut, not disconnected."""
    if not users:
        raise ValueError("no users to simulate")
    report = SimulationReport()
    rng = random.Random(seed)
    deadline = None if duration is None else time.monotonic() + duration

    def going_on() -> bool:
        return deadline is None or time.monotonic() < deadline

    async def wait(bounds: tuple[float, float]) -> None:
        """A random while, cut short at the deadline: then everyone disconnects."""
        seconds = rng.uniform(*bounds)
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline - time.monotonic()))
        await asyncio.sleep(seconds)

    async def play(user: SimulatedUser) -> None:
        while going_on():
            try:
                decision, session = await agent.connect(user.account, user.mac)
                report.decisions[decision.reason or "allowed"] += 1
                if session is not None:
                    report.started += 1
                    await wait(stay)
                    if session.session_id in agent.state.live:
                        await agent.disconnect(session.session_id)
                        report.ended += 1
                    else:
                        report.cut_by_server += 1
            except (httpx.TransportError, AgentApiError):
                report.errors += 1
            await wait(pause)

    await asyncio.gather(*(play(users[i % len(users)]) for i in range(count)))
    return report
