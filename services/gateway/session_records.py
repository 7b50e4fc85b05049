"""What a session is: the grant identity gave at sign-in and the session's times. Its own
module so the store (``sessions``) and the replica's cache (``session_cache``) both read
it without importing each other."""

from dataclasses import dataclass
from datetime import datetime


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
