"""Loops that run beside identity's HTTP API: started after the backbone, stopped before it
(``http.create_app`` passes ``start`` and ``stop`` to the app as it builds it)."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import structlog

from libs.aio.tasks import cancel_and_wait

log = structlog.get_logger("background")

Loop = Callable[[], Awaitable[None]]


class Background:
    """Runs each loop as a task for the app's lifetime; a crashed loop is logged and restarted."""

    def __init__(self, loops: Sequence[tuple[str, Loop]], restart_delay_s: float = 1.0) -> None:
        self._loops = loops
        self._restart_delay_s = restart_delay_s
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._guard(name, loop), name=f"identity-{name}")
            for name, loop in self._loops
        ]

    async def stop(self) -> None:
        await cancel_and_wait(*self._tasks)
        self._tasks = []

    async def _guard(self, name: str, loop: Loop) -> None:
        while True:
            try:
                await loop()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep the service's chores alive through outages
                log.error("background_loop_failed", loop=name, error=repr(error), exc_info=error)
            await asyncio.sleep(self._restart_delay_s)
