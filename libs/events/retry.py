"""Running a command again when a concurrent writer took an aggregate's next version."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from libs.events.store import ConcurrencyConflict

T = TypeVar("T")

ATTEMPTS = 3
"""Enough for the rare race of two writers on one aggregate; each try re-reads."""


class StaleVersion(ConcurrencyConflict):
    """The caller edited an older version than the current one: refused, never retried."""


async def retrying(attempt: Callable[[], Awaitable[T]], *, attempts: int = ATTEMPTS) -> T:
    """Run ``attempt`` (which reads fresh state each time) up to ``attempts`` times while it
    loses a race (``ConcurrencyConflict``); the last conflict, or a ``StaleVersion`` at
    once, reaches the caller."""
    for _ in range(attempts - 1):
        try:
            return await attempt()
        except StaleVersion:
            raise
        except ConcurrencyConflict:
            continue
    return await attempt()
