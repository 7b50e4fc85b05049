"""Batching of concurrent calls into one round trip: the items that arrive while a batch
is in flight go together in the next one.

Under load every round trip to Postgres costs more than the work it carries (a system
call, a wake-up of the server process, a turn of the event loop), so agents' decisions
read their facts and commit their events a batch at a time; with one caller the batch is
just that call, so nothing waits when there is no load.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import structlog

T = TypeVar("T")
R = TypeVar("R")

log = structlog.get_logger("batching")


class Batcher(Generic[T, R]):
    """Runs ``handle`` on batches of submitted items; each caller gets its item's result.

    ``handle`` returns one result per item, in order; if it raises, every caller of that
    batch gets the error.
    """

    def __init__(
        self, name: str, handle: Callable[[Sequence[T]], Awaitable[Sequence[R]]], max_batch: int
    ) -> None:
        self._name = name
        self._handle = handle
        self._max_batch = max_batch
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"batcher-{self._name}")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is None:
            return
        while self._queue:
            await asyncio.sleep(0.01)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def submit(self, item: T) -> R:
        """The result of ``item``, once its batch has been handled."""
        if self._task is None:
            raise RuntimeError(f"{self._name} not started")
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        self._ready.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                await self._one(batch)

    async def _one(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._handle([item for item, _ in batch])
        except Exception as error:
            log.warning("batch_failed", batcher=self._name, size=len(batch), error=repr(error))
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():  # its caller may have gone (client disconnected)
                future.set_result(result)
