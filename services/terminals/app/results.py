"""What a command returns to its caller, and how commands retry a lost race."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from libs.events.store import ConcurrencyConflict

T = TypeVar("T")


class StaleVersion(ConcurrencyConflict):
    """The caller edited an older version than the current one: refused, never retried."""


@dataclass(frozen=True)
class Written:
    """The aggregate a command wrote and its consistency token."""

    aggregate_id: str
    version: int
    last_event_id: str | None
    """The last event written (the consistency token); None when nothing changed."""


async def retrying(attempt: Callable[[], Awaitable[T]], times: int = 5) -> T:
    """Run ``attempt`` again when a concurrent writer moved an aggregate it read.

    For commands that act on many sessions at once (deleting a terminal or a user, the
    sweeper): another session ending meanwhile is no reason to give up.
    """
    for _ in range(times - 1):
        try:
            return await attempt()
        except StaleVersion:
            raise
        except ConcurrencyConflict:
            continue
    return await attempt()
