"""Who is calling the public admin API: session cookie (+ CSRF) or bearer session token.

Browsers carry the session in an HttpOnly cookie and must echo the session's CSRF token in
``X-CSRF-Token`` on every state change (SPEC L5). Scripts send the session token as a
bearer token instead; browsers never attach that by themselves, so it needs no CSRF token.
"""

import hmac
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from libs.events.envelope import Role
from libs.runtime.guards import CALLER_ROLE_STATE
from libs.runtime.problems import DomainError
from libs.runtime.source_address import source_ip
from services.gateway.adapters.sessions import SessionStore
from services.gateway.adapters.upstreams import Acting
from services.gateway.domain.sessions import Session

COOKIE = "fumidai_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_MESSAGE = "画面を再読み込みしてから、もう一度操作してください。"


@dataclass(frozen=True)
class Caller:
    """A signed-in caller of the public API."""

    session: Session
    token: str
    via_cookie: bool
    ip: str | None

    @property
    def acting(self) -> Acting:
        """The internal token claims for calls made on this caller's behalf."""
        grant = self.session.grant
        role: Role = "admin" if grant.role == "admin" else "user"
        verified = self.session.second_password_at
        return Acting(
            sub=grant.account,
            role=role,
            facility=grant.facility,
            ip=self.ip,
            second_password_at=verified.timestamp() if verified else None,
        )


def session_token(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[str, bool] | None:
    """The presented session token and whether it came in the cookie."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip(), False
    cookie = connection.cookies.get(COOKIE)
    return (cookie, True) if cookie else None


async def _live_session(
    connection: ASGIConnection[Any, Any, Any, Any], store: SessionStore
) -> tuple[str, bool, Session]:
    """The presented token, whether it came in the cookie, and its live session; 401."""
    presented = session_token(connection)
    if presented is None:
        raise NotAuthorizedException()
    token, via_cookie = presented
    session = await store.resolve(token)
    if session is None:
        raise NotAuthorizedException()
    connection.scope.setdefault("state", {})[CALLER_ROLE_STATE] = session.grant.role
    return token, via_cookie, session


async def authenticate(
    connection: ASGIConnection[Any, Any, Any, Any],
    store: SessionStore,
    role: str,
    trusted_proxies: tuple[str, ...],
) -> Caller:
    """The caller's live session for ``role``: 401 without one, 403 for another role or CSRF."""
    token, via_cookie, session = await _live_session(connection, store)
    if session.grant.role != role:
        raise PermissionDeniedException()
    if via_cookie and connection.scope.get("method") not in SAFE_METHODS:
        echoed = connection.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(echoed.encode(), session.csrf_token.encode()):
            raise DomainError("csrf_failed", CSRF_MESSAGE, status=403)
    return Caller(session, token, via_cookie, source_ip(connection, trusted_proxies))
