"""A relay and a tally projection wired together, for the backbone's tests."""

import asyncio
import time
from collections.abc import Awaitable, Callable

import asyncpg
from nats.aio.client import Client as NATS

from libs.events.consumer import ConsumerRunner
from libs.events.relay import Relay
from libs.events.settings import EventSettings
from libs.events.store import Notifier, append
from libs.events.streams import ensure_streams
from libs.events.tests.probes import probe
from libs.events.tests.tally import ProbeTally

Predicate = Callable[[], Awaitable[bool]]


async def wait_for(predicate: Predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


class Rig:
    """A relay and a tally projection wired to one test's database and streams."""

    def __init__(self, pool: asyncpg.Pool, nc: NATS, settings: EventSettings, dsn: str) -> None:
        self.pool, self.nc, self.settings, self.dsn = pool, nc, settings, dsn
        self.notifier = Notifier(pool, local_leads=lambda: self.relay.is_leader)
        self.relay = Relay(
            service="t",
            dsn=dsn,
            pool=pool,
            nc=nc,
            settings=settings,
            wake=self.notifier.subscribe_local(),
        )
        self.runner = ConsumerRunner(projection=ProbeTally(), pool=pool, nc=nc, settings=settings)

    async def start(self) -> None:
        await ensure_streams(self.nc.jetstream(), self.settings)
        self.notifier.start()
        self.relay.start()
        await self.runner.start()

    async def stop(self) -> None:
        await self.runner.stop()
        await self.relay.stop()
        await self.notifier.stop()

    async def write(self, count: int, prefix: str = "p", note: str = "") -> None:
        for i in range(count):
            async with self.pool.acquire() as conn:
                await append(conn, [probe(f"{prefix}-{i}", 1, seq=i, note=note)])
        self.notifier.poke()

    async def tally(self) -> list[int]:
        rows = await self.pool.fetch("SELECT applied FROM probe_tally")
        return [row["applied"] for row in rows]
