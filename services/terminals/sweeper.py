"""The background sweep: times out sessions whose agent went silent (SPEC C3) and drops
allowed decisions too old to start a session."""

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from libs.aio.tasks import cancel_and_wait

log = structlog.get_logger("sweeper")


class Sweeper:
    """Runs ``sweep`` every ``interval_s`` seconds until stopped."""

    def __init__(self, sweep: Callable[[], Awaitable[int]], interval_s: float) -> None:
        self._sweep = sweep
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sweeper")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                timed_out = await self._sweep()
            except Exception as error:  # Postgres away: try again next round
                log.warning("sweep_failed", error=repr(error))
                continue
            if timed_out:
                log.info("sessions_timed_out", sessions=timed_out)
