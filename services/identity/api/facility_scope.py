"""Who may call the users and jobs routes, and in which facility (SPEC T3)."""

import time

from libs.runtime.backbone import Backbone
from libs.runtime.internal_auth import Claims, require_role
from services.identity.adapters.postgres import Facility
from services.identity.domain.errors import facility_not_found

CACHE_S = 5.0
"""How long a facility row read here is reused. Its code and domain never change; a
changed time zone shows within seconds. Only facilities found are kept, so one
registered a moment ago is seen at once."""


class FacilityScope:
    """Checks the caller's role and facility; reads facilities with a short cache, because
    every users request needs its facility and the list must answer in milliseconds."""

    def __init__(self, backbone: Backbone) -> None:
        self._backbone = backbone
        self._cache: dict[str, tuple[float, Facility]] = {}

    async def __call__(self, claims: Claims, code: str) -> Facility:
        """The facility ``code`` if the caller is one of its admins or an operator.

        Other roles get 403. Another facility answers 404 exactly as a missing one (T3).
        """
        require_role(claims, "admin", "operator")
        if not claims.may_act_in(code) or "\x00" in code:  # PostgreSQL text holds no NUL
            raise facility_not_found()
        now = time.monotonic()
        cached = self._cache.get(code)
        if cached is not None and now - cached[0] < CACHE_S:
            return cached[1]
        row = await self._backbone.pool.fetchrow(
            "SELECT facility_id, code, name, domain, time_zone FROM facilities WHERE code = $1",
            code,
        )
        if row is None:
            raise facility_not_found()
        facility = Facility(**dict(row))
        self._cache[code] = (now, facility)
        return facility
