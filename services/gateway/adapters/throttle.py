"""Sign-in rate limits per account and per source address, shared by gateway replicas.

Fixed windows in Postgres: one upsert per request. Coarser than a sliding window, but
exact across replicas and restarts, which is what a brute-force limit needs.
"""

from datetime import datetime, timedelta

from libs.events.clock import Clock, system_clock
from services.gateway.adapters.sessions import PoolOf
from services.gateway.domain.throttle import window_start


class Throttle:
    def __init__(self, pool: PoolOf, window: timedelta, clock: Clock = system_clock) -> None:
        self._pool_of = pool
        self._window = window
        self._clock = clock

    def _window_start(self) -> datetime:
        return window_start(self._clock(), self._window)

    async def allow(self, key: str, limit: int) -> bool:
        """Count one request for ``key``; False once the window's ``limit`` is passed."""
        hits = await self._pool_of().fetchval(
            """INSERT INTO throttle (key, window_start, hits) VALUES ($1, $2, 1)
               ON CONFLICT (key, window_start) DO UPDATE SET hits = throttle.hits + 1
               RETURNING hits""",
            key[:300],
            self._window_start(),
        )
        return int(hits) <= limit

    async def purge(self) -> None:
        """Forget finished windows."""
        await self._pool_of().execute(
            "DELETE FROM throttle WHERE window_start < $1", self._clock() - 2 * self._window
        )
