"""Guards of the services' internal APIs: who may call a route, checked before its body is
read, its parameters are checked or a consistency token is waited for (decision 0042).

A controller names its guards (``guards = [requires_role("operator")]``); a handler that
needs the caller takes ``claims: Caller``, which reads the claims its guard verified.
"""

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from libs.events.envelope import Role
from libs.runtime.internal_auth import Claims, Verifier, claims_from, require_role

VERIFIER_STATE = "internal_token_verifier"
"""The key of the app's ``Verifier`` in its state (``service_app`` puts it there)."""
_CLAIMS_STATE = "internal_token_claims"
CALLER_ROLE_STATE = "caller_role"
"""Where a request's resolved caller leaves its role, for the access log line."""

Connection = ASGIConnection[Any, Any, Any, Any]


def caller_of(connection: Connection) -> Claims:
    """The verified claims of the request's internal token, or 401; verified once a request."""
    state = connection.state
    claims: Claims | None = state.get(_CLAIMS_STATE)
    if claims is None:
        verifier: Verifier = connection.app.state[VERIFIER_STATE]
        claims = claims_from(connection, verifier)
        state[_CLAIMS_STATE] = claims
        state[CALLER_ROLE_STATE] = claims.role
    return claims


def requires_role(*roles: Role) -> Guard:
    """401 without a genuine token, 403 unless its role is one of ``roles``."""

    async def guard(connection: Connection, _: BaseRouteHandler) -> None:
        require_role(caller_of(connection), *roles)

    return guard


def acts_in_path_facility(
    *roles: Role, not_found: Callable[[], Exception], param: str = "code"
) -> Guard:
    """401 without a genuine token, 403 unless its role is one of ``roles`` (any role when
    none is named), then ``not_found()`` unless the caller may act in the facility the
    path names: another facility's resource looks missing (SPEC T3)."""

    async def guard(connection: Connection, _: BaseRouteHandler) -> None:
        claims = caller_of(connection)
        if roles:
            require_role(claims, *roles)
        code = connection.path_params[param]
        if not claims.may_act_in(code) or "\x00" in code:  # PostgreSQL text holds no NUL
            raise not_found()

    return guard
