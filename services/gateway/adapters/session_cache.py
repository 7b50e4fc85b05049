"""Sessions already read, kept in this replica for a few seconds, dropped the moment any
replica changes them.

Every admin request resolves its session; reading it from the database each time was a
quarter of the gateway's CPU for the user list and a query on PostgreSQL besides. A
revocation must still end the session everywhere at once, so every change to a session
(sign-out, revoking an account, the second password) is announced with NOTIFY in the
changing transaction, and every replica LISTENs and drops what it kept. When the
listening connection is down, nothing is kept: each request reads the database, as
without the cache. ``ttl_s`` bounds what a silently lost notification could leave
standing, and a heartbeat on the listening connection notices a dead one within
``ttl_s``.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable

import asyncpg
import structlog

from libs.aio.tasks import cancel_and_wait
from services.gateway.domain.sessions import Session

log = structlog.get_logger()

CHANNEL = "fumidai_gateway_sessions"
"""NOTIFY channel of session changes; the payload is ``token:<hex hash>`` or
``account:<account id>``."""

MAX_ENTRIES = 20_000


def token_key(token_hash: bytes) -> str:
    return f"token:{token_hash.hex()}"


def account_key(account_id: str) -> str:
    return f"account:{account_id}"


class SessionCache:
    """Resolved sessions by token hash; empty and bypassed unless listening."""

    def __init__(
        self, dsn: str, ttl_s: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._dsn = dsn
        self._ttl = ttl_s
        self._monotonic = monotonic
        self._entries: dict[bytes, tuple[float, Session]] = {}
        self.generation = 0
        """Changes whenever anything may have been dropped: a read begun under an older
        generation is not kept (it may predate a revocation)."""
        self.listening = False
        self._stopping = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._retry_s = 1.0

    @property
    def enabled(self) -> bool:
        return self._ttl > 0 and self.listening

    def get(self, token_hash: bytes) -> Session | None:
        if not self.enabled:
            return None
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if self._monotonic() - entry[0] >= self._ttl:
            del self._entries[token_hash]
            return None
        return entry[1]

    def put(self, token_hash: bytes, session: Session, generation: int) -> None:
        """Keep ``session``, read while the cache was at ``generation``."""
        if not self.enabled or generation != self.generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]  # the oldest kept
        self._entries[token_hash] = (self._monotonic(), session)

    def drop(self, key: str) -> None:
        """Forget what a change announced as ``key`` may have made stale."""
        self.generation += 1
        kind, _, value = key.partition(":")
        if kind == "token":
            with contextlib.suppress(ValueError):
                self._entries.pop(bytes.fromhex(value), None)
        elif kind == "account":
            for token_hash, (_, session) in list(self._entries.items()):
                if session.grant.account_id == value:
                    del self._entries[token_hash]
        else:
            self._entries.clear()

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()

    async def start(self) -> None:
        if self._ttl > 0:
            self._stopping = False
            self._task = asyncio.create_task(self._listen_forever())

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        await cancel_and_wait(self._task)
        self._task = None

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self.drop(str(payload))

    def _lost(self, _conn: object) -> None:
        self.listening = False
        self.clear()
        self._wake.set()

    async def _listen_forever(self) -> None:
        while not self._stopping:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep trying: without it the cache stays off
                log.warning(
                    "session_cache_listener_failed", error=repr(error), retry_s=self._retry_s
                )
            finally:
                self.listening = False
                self.clear()
            if not self._stopping:
                # 1 s after a connection that listened, doubling to 30 s while the database
                # cannot be reached: an outage logs a line now and then, not every second.
                await asyncio.sleep(self._retry_s)
                self._retry_s = min(self._retry_s * 2, 30.0)

    async def _listen(self) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(self._dsn)
        try:
            conn.add_termination_listener(self._lost)
            await conn.add_listener(CHANNEL, self._on_notify)
            # Whatever changed before this moment was announced to nobody here.
            self.clear()
            self.listening = True
            self._retry_s = 1.0
            beat = min(self._ttl, 2.0)
            while not self._stopping and self.listening:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(beat):
                        await self._wake.wait()
                if self._stopping or not self.listening:
                    break
                async with asyncio.timeout(beat):
                    await conn.fetchval("SELECT 1")
        finally:
            self.listening = False
            with contextlib.suppress(Exception):
                await conn.close()
