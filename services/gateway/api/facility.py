"""``/api/v1/facilities/{code}``: 「施設情報」, the admin's own facility's settings, read-only
(SPEC T1, L1; issue 15). Operators change them (``./fumidai facility set``); an admin sees
what they are now."""

from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from libs.runtime.paths import fill
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY
from services.gateway.gateway_context import Gateway
from services.gateway.relay import consistency, relayed
from services.identity.contract import FACILITY_PATH, FacilitySettings

TAGS = ["facility"]


def facility_routes(gw: Gateway) -> list[HTTPRouteHandler]:
    """Read the signed-in admin's facility."""

    @get(
        ADMIN_BASE,
        operation_id="getFacility",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def facility(
        request: Request[Any, Any, Any], code: FromPath[str]
    ) -> Response[FacilitySettings]:
        """「施設情報」: name, code, domain, time zone, download period, internal networks,
        notification addresses, password expiry and the 認証連携先 catalogue."""
        caller = await gw.admin_of(request, code)
        answer = await gw.upstreams.call(
            "identity",
            "GET",
            fill(FACILITY_PATH, code=code),
            caller.acting,
            headers=consistency(request),
        )
        if answer.status_code != 200:
            return relayed(answer)
        # Decoded so that only the contract's fields reach the admin (not identity's ids).
        return Response(msgspec.json.decode(answer.content, type=FacilitySettings))

    return [facility]
