"""Stopping background tasks."""

import asyncio
import contextlib
from typing import Any

RECANCEL_S = 2.0
"""How long a cancelled task may take to end before it is cancelled again."""


async def cancel_and_wait(*tasks: "asyncio.Task[Any] | None") -> None:
    """Cancel ``tasks`` (None ones skipped) and wait until each has ended.

    Every task is cancelled before any is awaited, so they wind down together; the
    cancellation each one ends with stays with it. A stop flag beside the cancel is still
    each loop's own business: on Python 3.11 a cancel racing a timeout can be swallowed.
    """
    live = [task for task in tasks if task is not None]
    for task in live:
        task.cancel()
    # A swallowed cancel leaves its task running, and awaiting it would never return (a
    # service's shutdown hung so, 300 s in a test's teardown): cancel again until it ends.
    while pending := [task for task in live if not task.done()]:
        await asyncio.wait(pending, timeout=RECANCEL_S)
        for task in pending:
            if not task.done():
                task.cancel()
    for task in live:
        with contextlib.suppress(asyncio.CancelledError):
            await task
