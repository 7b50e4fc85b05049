"""The facility a users, jobs or catalogue route acts in, read once its guard has let the
caller act there (``guards.facility_admins``; SPEC T3)."""

import time
from collections.abc import Callable

import asyncpg
from litestar.params import FromPath

from services.identity.adapters.postgres import Facility, facility_by_code
from services.identity.domain.errors import facility_not_found

CACHE_S = 5.0
"""How long a facility row read here is reused. Its code and domain never change; a
changed time zone shows within seconds. Only facilities found are kept, so one
registered a moment ago is seen at once."""


class FacilityScope:
    """Reads facilities with a short cache, because every users request needs its
    facility and the list must answer in milliseconds."""

    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        self._pool = pool
        self._cache: dict[str, tuple[float, Facility]] = {}

    async def facility(self, code: FromPath[str]) -> Facility:
        """The facility the path names; 404 ``facility_not_found`` if there is none.

        The handlers' ``facility`` dependency: its guard has already refused a caller of
        another facility with the same 404.
        """
        now = time.monotonic()
        cached = self._cache.get(code)
        if cached is not None and now - cached[0] < CACHE_S:
            return cached[1]
        async with self._pool().acquire() as conn:
            facility = await facility_by_code(conn, code)
        if facility is None:
            raise facility_not_found()
        self._cache[code] = (now, facility)
        return facility
