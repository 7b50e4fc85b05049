"""Server-side sessions (SPEC L5): idle 30 min, absolute 12 h, revocable, shared by replicas.

The browser holds a random token in an HttpOnly, SameSite=Strict cookie; the table holds
its SHA-256 only. Each session has its own CSRF token, which state changes must echo.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import asyncpg

from libs.events.clock import Clock, system_clock
from services.gateway.adapters.session_cache import CHANNEL, SessionCache, account_key, token_key
from services.gateway.domain.sessions import Grant, Session, expires_at

PoolOf = Callable[[], asyncpg.Pool]
"""The pool, looked up when used: it exists only once the service has started."""


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


# last_seen_at is written at most this often: a write per request would make every read
# of the admin API a write.
_TOUCH_EVERY = timedelta(seconds=30)


class SessionStore:
    """Sessions in the gateway's database."""

    def __init__(
        self,
        pool: PoolOf,
        *,
        idle: timedelta,
        absolute: timedelta,
        clock: Clock = system_clock,
        cache: SessionCache | None = None,
    ) -> None:
        self._pool_of = pool
        self._idle = idle
        self._absolute = absolute
        self._clock = clock
        self.cache = cache

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
        return expires_at(created, seen, idle=self._idle, absolute=self._absolute)

    async def resolve(self, token: str) -> Session | None:
        """The live session of ``token``, touched; None when unknown, revoked or timed out."""
        if not token or len(token) > 128:
            return None
        token_hash = _hash(token)
        now = self._clock()
        session = self.cache.get(token_hash) if self.cache else None
        if session is None or now >= session.expires_at:
            # Not kept, or kept since before another replica last touched it: the table
            # decides whether it has timed out.
            session = await self._read(token_hash)
            if session is None or now >= session.expires_at:
                return None
        if now - session.last_seen_at >= _TOUCH_EVERY:
            generation = self.cache.generation if self.cache else 0
            await self._pool_of().execute(
                "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1", token_hash, now
            )
            session = replace(
                session, last_seen_at=now, expires_at=self._expiry(session.created_at, now)
            )
            if self.cache:
                self.cache.put(token_hash, session, generation)
        return session

    async def _read(self, token_hash: bytes) -> Session | None:
        """The session as stored (kept in the cache), or None when unknown or revoked."""
        generation = self.cache.generation if self.cache else 0
        row = await self._pool_of().fetchrow(
            """SELECT account_id, account, role, facility, facility_id, app, csrf_token,
                      created_at, last_seen_at, second_password_at
               FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL""",
            token_hash,
        )
        if row is None:
            return None
        grant = Grant(
            row["account_id"],
            row["account"],
            row["role"],
            row["facility"],
            row["facility_id"],
            row["app"],
        )
        session = Session(
            grant,
            row["csrf_token"],
            row["created_at"],
            row["last_seen_at"],
            self._expiry(row["created_at"], row["last_seen_at"]),
            row["second_password_at"],
        )
        if self.cache:
            self.cache.put(token_hash, session, generation)
        return session

    async def _change(self, announce: str, sql: str, *args: object) -> str:
        """Run ``sql`` and tell every replica (NOTIFY, at commit) to drop ``announce``."""
        async with self._pool_of().acquire() as conn, conn.transaction():
            status: str = await conn.execute(sql, *args)
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, announce)
        if self.cache:
            # At once here, not when our own NOTIFY comes back; the drop's new generation
            # also keeps out whatever was read while the change was committing.
            self.cache.drop(announce)
        return status

    async def mark_second_password(self, token: str) -> datetime:
        """Record that the second password was just verified in this session; return when."""
        now = self._clock()
        token_hash = _hash(token)
        await self._change(
            token_key(token_hash),
            "UPDATE sessions SET second_password_at = $2 WHERE token_hash = $1",
            token_hash,
            now,
        )
        return now

    async def revoke(self, token: str) -> None:
        """End one session (sign-out)."""
        token_hash = _hash(token)
        await self._change(
            token_key(token_hash),
            "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
            token_hash,
            self._clock(),
        )

    async def revoke_account(self, account_id: str) -> int:
        """End every session of an account (after a password or MFA reset); return how many."""
        status = await self._change(
            account_key(account_id),
            "UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
            account_id,
            self._clock(),
        )
        return int(status.split()[-1])

    async def revoke_others(self, token: str, account_id: str) -> int:
        """End every session of an account but ``token``'s (after the account's holder
        changed its password in that session); return how many."""
        status = await self._change(
            account_key(account_id),
            """UPDATE sessions SET revoked_at = $3
               WHERE account_id = $1 AND token_hash <> $2 AND revoked_at IS NULL""",
            account_id,
            _hash(token),
            self._clock(),
        )
        return int(status.split()[-1])

    async def purge(self) -> int:
        """Delete sessions past their absolute timeout; return how many."""
        status = await self._pool_of().execute(
            "DELETE FROM sessions WHERE created_at < $1", self._clock() - self._absolute
        )
        return int(status.split()[-1])
