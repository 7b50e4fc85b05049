"""Where a service gets the time: injected, so tests move it instead of sleeping."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware."""


def system_clock() -> datetime:
    """The server's time in UTC."""
    return datetime.now(UTC)


class SettableClock:
    """A clock a test sets or moves; starts at ``now`` (default: the real time)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or system_clock()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta = timedelta(), /, **parts: float) -> None:
        """Move forward by ``delta`` and/or ``timedelta(**parts)``."""
        self.now += delta + timedelta(**parts)
