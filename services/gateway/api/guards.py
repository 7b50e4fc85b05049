"""Who may call a route: the guards of the signed-in admin, of the admin of the path's
facility and of the signed-in user, and the caller they resolve, handed to handlers.

Litestar runs guards before it reads a route's body or checks its parameters. Every route
whose documented security is the session has exactly one of these (a test holds it):
the one guard resolves the session once, and Litestar copies the route's handler for
each guard it calls, so a second guard only cost time (decision 0047). So a route
answers, in this order: 401 without a session, 403 for another role, 403
``csrf_failed`` for a cookie's state change without the CSRF token, 404 for another
facility's path (T3: indistinguishable from a missing one), and only then 400 for its
parameters or body (docs/decisions/0038).
"""

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler

from libs.runtime.problems import NotFound
from services.gateway.adapters.sessions import SessionStore
from services.gateway.api.auth import Caller, authenticate

SESSION_CHECK = "session_check"
"""The app state's key of the ``SessionCheck`` the guards use (guards take no dependencies)."""
_CALLER = "fumidai_caller"
"""Where a guard leaves the caller it resolved, for the ``caller`` dependency."""


@dataclass(frozen=True)
class SessionCheck:
    """What the guards need to resolve a caller: the sessions and whom to believe about
    the client's address."""

    sessions: SessionStore
    trusted_proxies: tuple[str, ...]


async def _signed_in(connection: ASGIConnection[Any, Any, Any, Any], role: str) -> Caller:
    check: SessionCheck = connection.app.state[SESSION_CHECK]
    caller = await authenticate(connection, check.sessions, role, check.trusted_proxies)
    connection.scope.setdefault("state", {})[_CALLER] = caller
    return caller


async def signed_in_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """A signed-in admin (401 without a session, 403 for a user or without CSRF)."""
    await _signed_in(connection, "admin")


async def admin_of_path_facility(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """The signed-in admin of the path's ``{code}``; another facility's is 404 (T3)."""
    caller = await _signed_in(connection, "admin")
    if caller.session.grant.facility != connection.path_params["code"]:
        raise NotFound()


async def signed_in_user(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """A signed-in user (利用者) (401 without a session, 403 for an admin or without CSRF)."""
    await _signed_in(connection, "user")


async def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    """The caller the route's guard resolved (no second look at the session)."""
    caller: Caller | None = request.scope.get("state", {}).get(_CALLER)
    if caller is None:
        # A route that takes the caller but has no guard: refuse rather than serve anyone.
        raise NotAuthorizedException()
    return caller
