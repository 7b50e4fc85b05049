"""What a session is: the grant identity gave at sign-in and the session's times, and
when it ends. Pure: the store (``adapters/sessions``) and the replica's cache
(``adapters/session_cache``) both read it without importing each other."""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Grant:
    """What identity's last sign-in step returns: who signed in, where."""

    account_id: str
    account: str
    role: str
    facility: str
    facility_id: str
    app: str


@dataclass(frozen=True)
class Session:
    grant: Grant
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    """When the session ends at the latest, idle or absolute, whichever comes first."""
    second_password_at: datetime | None = None
    """When identity last verified the user's second password in this session (F7)."""


def expires_at(
    created: datetime, seen: datetime, *, idle: timedelta, absolute: timedelta
) -> datetime:
    """When a session ends unless used again: ``idle`` after it was last seen or
    ``absolute`` after it began, whichever comes first (SPEC L5)."""
    return min(created + absolute, seen + idle)
