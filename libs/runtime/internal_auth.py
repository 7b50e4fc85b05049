"""Short-lived signed tokens from the gateway to the services (defence in depth).

A token names the actor, its role, its facility and its source address, and lives for
seconds. Every service checks the signature and scopes its queries by the facility in
the token itself, so a bug in the gateway cannot read across facilities.
"""

import base64
import hashlib
import hmac
import time
from typing import Any, TypeAlias

import msgspec
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from libs.events.envelope import Actor, Role

ALL_FACILITIES = "*"
"""The facility claim of operators, who act on the platform as a whole."""


class Claims(msgspec.Struct, frozen=True, kw_only=True):
    sub: str
    """Who: an account, an agent's terminal, or an operator's name."""
    role: Role
    facility: str
    """Facility code the actor belongs to; ``*`` for operators."""
    exp: float
    """Expiry, Unix seconds."""
    ip: str | None = None
    second_password_at: float | None = None
    """When the gateway had identity verify this user's second password, Unix seconds;
    None when it did not. Users' file-share routes require it to be recent (SPEC F7)."""

    @property
    def actor(self) -> Actor:
        return Actor(id=self.sub, role=self.role, ip=self.ip)

    def may_act_in(self, facility: str) -> bool:
        return self.facility in (facility, ALL_FACILITIES)


class InvalidToken(Exception):
    """The token is malformed, forged or expired."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(claims: Claims, secret: str) -> str:
    """The token for ``claims``, signed with HMAC-SHA256."""
    body = _b64(msgspec.json.encode(claims))
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def issue(
    secret: str,
    *,
    sub: str,
    role: Role,
    facility: str,
    ip: str | None = None,
    ttl: float = 60.0,
    second_password_at: float | None = None,
) -> str:
    """A fresh token valid for ``ttl`` seconds."""
    claims = Claims(
        sub=sub,
        role=role,
        facility=facility,
        ip=ip,
        exp=time.time() + ttl,
        second_password_at=second_password_at,
    )
    return sign(claims, secret)


def verify(token: str, secret: str, now: float | None = None) -> Claims:
    """The claims of a genuine, unexpired token; raise InvalidToken otherwise."""
    if not secret:
        raise InvalidToken("no internal token secret configured")
    body, _, mac = token.partition(".")
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(_unb64(mac), expected):
            raise InvalidToken("bad signature")
        claims = msgspec.json.decode(_unb64(body), type=Claims)
    except (ValueError, msgspec.DecodeError) as error:
        raise InvalidToken("malformed") from error
    if claims.exp < (time.time() if now is None else now):
        raise InvalidToken("expired")
    return claims


def claims_from(connection: ASGIConnection[Any, Any, Any, Any], secret: str) -> Claims:
    """The verified claims of a request's bearer token, or 401."""
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException()
    try:
        return verify(token, secret)
    except InvalidToken as error:
        raise NotAuthorizedException() from error


Caller: TypeAlias = NamedDependency[Claims]
"""Annotate a handler parameter ``claims: Caller`` to receive the verified token's claims."""


def require_role(claims: Claims, *roles: Role) -> None:
    """403 unless the actor has one of ``roles``."""
    if claims.role not in roles:
        raise PermissionDeniedException()
