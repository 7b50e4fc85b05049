"""Retention (SPEC A2): how long each log's rows, an export's file and an inbox id stay."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class PurgeReport:
    deleted: dict[str, int] = field(default_factory=dict)
    """Rows deleted per log, ``exports`` and ``inbox``."""
    ran: bool = True
    """False when another replica held the purge."""


def log_cutoff(keep_days: int, now: datetime) -> datetime:
    """Rows of a log kept ``keep_days`` older than this are past its period (A1)."""
    return now - timedelta(days=keep_days)


def inbox_cutoff(stream_ages_days: Sequence[int], now: datetime) -> datetime | None:
    """Inbox ids applied before this can no longer be redelivered by the streams a
    projection reads (their ``max_age`` in days, 0 = kept forever); None: keep them all."""
    if 0 in stream_ages_days:
        # A stream kept forever (decision 0036) may deliver any of its ids again:
        # its projections keep every inbox id.
        return None
    # A day of margin past the stream's age: the id was applied after it was
    # published, so it left the stream by applied_at + max_age at the latest.
    return now - timedelta(days=max(stream_ages_days) + 1)


def purge_due(last_run: datetime | None, now: datetime, every_s: float) -> bool:
    """Whether a purge is due: never run, or ``every_s`` (a day) since the last."""
    return last_run is None or now - last_run >= timedelta(seconds=every_s)
