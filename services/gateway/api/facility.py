"""``/api/v1/facilities/{code}``: 「施設情報」, the admin's own facility's settings, read-only
(SPEC T1, L1; issue 15). Operators change them (``./fumidai facility set``); an admin sees
what they are now."""

import msgspec
from litestar import Response, get
from litestar.params import FromPath

from libs.runtime.paths import fill
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY
from services.gateway.api.dependencies import ADMIN_CALLS, Relaying
from services.gateway.api.guards import admin_of_path_facility
from services.gateway.api.ordered import OrderedController
from services.gateway.api.relay import relayed
from services.identity.contract import FACILITY_PATH, FacilitySettings

TAGS = ["facility"]


class FacilityController(OrderedController):
    """Read the signed-in admin's facility."""

    path = ADMIN_BASE
    guards = (admin_of_path_facility,)
    dependencies = ADMIN_CALLS

    @get(
        "",
        operation_id="getFacility",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def facility(self, relay: Relaying, code: FromPath[str]) -> Response[FacilitySettings]:
        """「施設情報」: name, code, domain, time zone, download period, internal networks,
        notification addresses, password expiry and the 認証連携先 catalogue."""
        answer = await relay.ask("identity", "GET", fill(FACILITY_PATH, code=code))
        if answer.status_code != 200:
            return relayed(answer)
        # Decoded so that only the contract's fields reach the admin (not identity's ids).
        return Response(msgspec.json.decode(answer.content, type=FacilitySettings))
