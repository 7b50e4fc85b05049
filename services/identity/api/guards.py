"""Who may call identity's routes: the controllers' guards (decision 0042).

Each answers as the check it replaced did: 401 without a genuine token, 403 for a role
that may not call the route, and 404 ``facility_not_found`` for another facility, exactly
as for a missing one (SPEC T3).
"""

from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from libs.runtime.guards import Connection, acts_in_path_facility, caller_of, requires_role
from libs.runtime.internal_auth import ALL_FACILITIES
from services.identity.domain.errors import facility_not_found

operators_only = requires_role("operator")
"""Registering facilities and admins, their resets, the 認証連携先 catalogue's changes."""

admins_only = requires_role("admin")
"""A signed-in admin's own profile."""

signed_in = requires_role("admin", "user")
"""Checks of a signed-in admin's or user's own credentials."""

facility_admins = acts_in_path_facility("admin", "operator", not_found=facility_not_found)
"""The path's facility's admins, and operators: its users, jobs and catalogue."""

in_facility = acts_in_path_facility(not_found=facility_not_found)
"""Anyone acting in the path's facility (its settings are read by its users' services)."""


async def gateway_only(connection: Connection, _: BaseRouteHandler) -> None:
    """The gateway's pre-authentication identity (role ``system``, facility ``*``) alone
    drives sign-in and recovery: an admin's or user's token must never drive another's."""
    claims = caller_of(connection)
    if claims.role != "system" or claims.facility != ALL_FACILITIES:
        raise PermissionDeniedException()
