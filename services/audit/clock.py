"""Where audit gets the time: injected, so tests can move it (periods, retention, expiry)."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware."""


def system_clock() -> datetime:
    """The server's time in UTC."""
    return datetime.now(UTC)
