"""The background sweep: times out sessions whose agent went silent (SPEC C3) and drops
allowed decisions too old to start a session."""

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from libs.aio.periodic import every
from libs.aio.tasks import cancel_and_wait

log = structlog.get_logger("sweeper")


class Sweeper:
    """Runs ``sweep`` every ``interval_s`` seconds until stopped."""

    def __init__(self, sweep: Callable[[], Awaitable[int]], interval_s: float) -> None:
        self._sweep = sweep
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(
            every(self._interval_s, self._round, name="sweep"), name="sweeper"
        )

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _round(self) -> None:
        timed_out = await self._sweep()
        if timed_out:
            log.info("sessions_timed_out", sessions=timed_out)
