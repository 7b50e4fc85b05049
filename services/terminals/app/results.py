"""What a command returns to its caller, and how often bulk commands retry a lost race."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Written:
    """The aggregate a command wrote and its consistency token."""

    aggregate_id: str
    version: int
    last_event_id: str | None
    """The last event written (the consistency token); None when nothing changed."""


BULK_ATTEMPTS = 5
"""For commands that act on many sessions at once (deleting a terminal or a user, the
sweeper): another session ending meanwhile is no reason to give up."""
