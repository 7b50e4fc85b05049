"""The rate limits' windows: fixed, aligned on the epoch, the same on every replica."""

from datetime import UTC, datetime, timedelta


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the window of length ``window`` that ``now`` falls in."""
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)
