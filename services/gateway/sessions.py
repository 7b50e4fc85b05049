"""Server-side sessions (SPEC L5): idle 30 min, absolute 12 h, revocable, shared by replicas.

The browser holds a random token in an HttpOnly, SameSite=Strict cookie; the table holds
its SHA-256 only. Each session has its own CSRF token, which state changes must echo.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

Clock = Callable[[], datetime]
PoolOf = Callable[[], asyncpg.Pool]
"""The pool, looked up when used: it exists only once the service has started."""


def utc_now() -> datetime:
    return datetime.now(UTC)


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


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


# last_seen_at is written at most this often: a write per request would make every read
# of the admin API a write.
_TOUCH_EVERY = timedelta(seconds=30)


class SessionStore:
    """Sessions in the gateway's database."""

    def __init__(
        self, pool: PoolOf, *, idle: timedelta, absolute: timedelta, clock: Clock = utc_now
    ) -> None:
        self._pool_of = pool
        self._idle = idle
        self._absolute = absolute
        self._clock = clock

    async def open(
        self, grant: Grant, *, ip: str | None, user_agent: str | None
    ) -> tuple[str, Session]:
        """Start a session; return its token (for the cookie, shown nowhere else) and it."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        now = self._clock()
        await self._pool_of().execute(
            """INSERT INTO sessions (token_hash, account_id, account, role, facility, facility_id,
                   app, csrf_token, source_ip, user_agent, created_at, last_seen_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)""",
            _hash(token),
            grant.account_id,
            grant.account,
            grant.role,
            grant.facility,
            grant.facility_id,
            grant.app,
            csrf,
            ip,
            (user_agent or "")[:512],
            now,
        )
        return token, Session(grant, csrf, now, now, self._expiry(now, now))

    def _expiry(self, created: datetime, seen: datetime) -> datetime:
        return min(created + self._absolute, seen + self._idle)

    async def resolve(self, token: str) -> Session | None:
        """The live session of ``token``, touched; None when unknown, revoked or timed out."""
        if not token or len(token) > 128:
            return None
        row = await self._pool_of().fetchrow(
            """SELECT account_id, account, role, facility, facility_id, app, csrf_token,
                      created_at, last_seen_at, second_password_at
               FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL""",
            _hash(token),
        )
        if row is None:
            return None
        now = self._clock()
        if now >= self._expiry(row["created_at"], row["last_seen_at"]):
            return None
        seen = row["last_seen_at"]
        if now - seen >= _TOUCH_EVERY:
            seen = now
            await self._pool_of().execute(
                "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1", _hash(token), now
            )
        grant = Grant(
            row["account_id"],
            row["account"],
            row["role"],
            row["facility"],
            row["facility_id"],
            row["app"],
        )
        return Session(
            grant,
            row["csrf_token"],
            row["created_at"],
            seen,
            self._expiry(row["created_at"], seen),
            row["second_password_at"],
        )

    async def mark_second_password(self, token: str) -> datetime:
        """Record that the second password was just verified in this session; return when."""
        now = self._clock()
        await self._pool_of().execute(
            "UPDATE sessions SET second_password_at = $2 WHERE token_hash = $1", _hash(token), now
        )
        return now

    async def revoke(self, token: str) -> None:
        """End one session (sign-out)."""
        await self._pool_of().execute(
            "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
            _hash(token),
            self._clock(),
        )

    async def revoke_account(self, account_id: str) -> int:
        """End every session of an account (after a password or MFA reset); return how many."""
        status = await self._pool_of().execute(
            "UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
            account_id,
            self._clock(),
        )
        return int(status.split()[-1])

    async def purge(self) -> int:
        """Delete sessions past their absolute timeout; return how many."""
        status = await self._pool_of().execute(
            "DELETE FROM sessions WHERE created_at < $1", self._clock() - self._absolute
        )
        return int(status.split()[-1])
