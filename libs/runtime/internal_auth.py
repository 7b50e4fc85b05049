"""Short-lived signed tokens from callers (the gateway, operators) to the services.

A token names the actor, its role, its facility and its source address, and lives for
seconds. Every service checks the signature and scopes its queries by the facility in
the token itself, so a bug in the gateway cannot read across facilities.

Each caller signs with its own Ed25519 key and every token names its issuer and its
audience (the one service it is for); a service holds public keys only, so a compromised
service can mint nothing another service accepts (docs/decisions/0027). Format:
``<base64url header>.<base64url claims>.<base64url signature>``, the header naming the
key (``kid``), the signature over the first two parts.

Signatures cost more than the rest of a small request (decision 0048): a verifier
remembers the tokens it has found genuine and checks only their expiry when one comes
again, and the gateway sends the same token again for the same claims while most of its
life is left (``Issuer``).
"""

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import msgspec
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.params import SkipValidation

from libs.events.envelope import Actor, Role
from libs.runtime.token_keys import OPERATOR, SigningKey, TrustedKey, b64, unb64

ALL_FACILITIES = "*"
"""The facility claim of operators, who act on the platform as a whole."""


class Claims(msgspec.Struct, frozen=True, kw_only=True):
    iss: str
    """Who signed: the caller whose key made the signature (``gateway``, ``operator``)."""
    aud: str
    """The one service the token is for; every other service refuses it."""
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
    """The token is malformed, forged, expired, or not for this service from this caller."""


class Header(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    alg: Literal["EdDSA"]
    kid: str


def sign(claims: Claims, key: SigningKey) -> str:
    """The token for ``claims``, signed with ``key`` (whose issuer the claims must name)."""
    if claims.iss != key.issuer:
        raise ValueError(f"a {key.issuer} key cannot sign a token issued by {claims.iss}")
    signed = f"{b64(msgspec.json.encode(Header(alg='EdDSA', kid=key.kid)))}"
    signed += f".{b64(msgspec.json.encode(claims))}"
    return f"{signed}.{b64(key.sign(signed.encode()))}"


def issue(
    key: SigningKey,
    *,
    audience: str,
    sub: str,
    role: Role,
    facility: str,
    ip: str | None = None,
    ttl: float = 60.0,
    second_password_at: float | None = None,
    now: float | None = None,
) -> str:
    """A fresh token for ``audience`` valid for ``ttl`` seconds from ``now`` (the clock's
    time by default), issued by ``key``'s owner."""
    claims = Claims(
        iss=key.issuer,
        aud=audience,
        sub=sub,
        role=role,
        facility=facility,
        ip=ip,
        exp=(time.time() if now is None else now) + ttl,
        second_password_at=second_password_at,
    )
    return sign(claims, key)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """At most ``size`` entries, the oldest forgotten first: a memory that cannot grow."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a memory of nothing")
        self._size = size
        # OrderedDict: removing the oldest is one call, not an iteration that another
        # thread's insert would break (a verifier may be called from a worker thread).
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        """Remember ``value`` under ``key`` as the newest entry."""
        self._entries.pop(key, None)
        self._entries[key] = value
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)


REMEMBERED = 4096
"""Tokens a verifier remembers, and claims an issuer keeps a token for: under 3 MB with
the tokens' ~320 bytes and their claims; the gateway issues one per actor, address and service every
``REUSE_S`` seconds, so this covers a thousand people active at once."""

REUSE_S = 15.0
"""How long the gateway sends one token again: the first quarter of its 60 s, so a
token always reaches a service with at least 45 s left."""


class Issuer:
    """A caller's tokens, one per claims: the same token again for the same audience and
    claims while it is younger than ``reuse_s``, then a fresh one (decision 0048)."""

    def __init__(
        self,
        key: SigningKey,
        *,
        ttl: float = 60.0,
        reuse_s: float = REUSE_S,
        size: int = REMEMBERED,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 <= reuse_s < ttl:
            raise ValueError("a token is reused for part of its life, not beyond it")
        self.key = key
        self._ttl = ttl
        self._reuse_s = reuse_s
        self._clock = clock
        self._issued: Recent[tuple[Any, ...], tuple[float, str]] = Recent(size)

    def token(
        self,
        *,
        audience: str,
        sub: str,
        role: Role,
        facility: str,
        ip: str | None = None,
        second_password_at: float | None = None,
    ) -> str:
        """A token for ``audience`` with these claims, valid for at least ``ttl -
        reuse_s`` seconds."""
        now = self._clock()
        wanted = (audience, sub, role, facility, ip, second_password_at)
        kept = self._issued.get(wanted)
        # After the clock was set back the kept token would outlive ttl from now: a fresh
        # one then, so that no token sent lives longer than ttl.
        if kept is not None and kept[0] <= now < kept[0] + self._reuse_s:
            return kept[1]
        token = issue(
            self.key,
            audience=audience,
            sub=sub,
            role=role,
            facility=facility,
            ip=ip,
            ttl=self._ttl,
            second_password_at=second_password_at,
            now=now,
        )
        self._issued.put(wanted, (now, token))
        return token


class Verifier:
    """What one service accepts: tokens for it, signed by a key it trusts, unexpired."""

    def __init__(
        self, audience: str, keys: Mapping[str, TrustedKey], remember: int = REMEMBERED
    ) -> None:
        self._audience = audience
        self._keys = dict(keys)
        self._genuine: Recent[str, Claims] = Recent(remember)
        """Tokens that passed every check, by their exact text."""

    @property
    def audience(self) -> str:
        # Read-only, like the keys: a remembered verdict holds only while both stand.
        return self._audience

    def verify(self, token: str, now: float | None = None) -> Claims:
        """The claims of a genuine, unexpired token for this service; InvalidToken if not.

        A token accepted before is not checked again but for its expiry: everything else
        follows from its exact text and this verifier's keys and audience, which do not
        change. Only accepted tokens are remembered, so a forged one cannot fill the memory.
        """
        claims = self._genuine.get(token)
        known = claims is not None
        if claims is None:
            claims = self._genuine_claims(token)
        if claims.exp < (time.time() if now is None else now):
            raise InvalidToken("expired")
        if not known:
            self._genuine.put(token, claims)
        return claims

    def _genuine_claims(self, token: str) -> Claims:
        """The claims of a token signed by a trusted key for this service, whatever its expiry."""
        header, body, signature = _parts(token)
        key = self._keys.get(header.kid)
        if key is None:
            raise InvalidToken("unknown key")
        signed = token.rpartition(".")[0].encode()
        if not key.genuine(signature, signed):
            raise InvalidToken("bad signature")
        claims = _decode(body, Claims)
        if claims.iss != key.issuer:
            raise InvalidToken("issuer is not the key's")
        if claims.aud != self.audience:
            raise InvalidToken("token for another service")
        if (claims.role == "operator") != (claims.iss == OPERATOR):
            # Only operators' own key grants the operator role, and it grants nothing else.
            raise InvalidToken("role not granted by this issuer")
        return claims


def _parts(token: str) -> tuple[Header, bytes, bytes]:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed")
    header = _decode(_unb64(parts[0]), Header)
    return header, _unb64(parts[1]), _unb64(parts[2])


def _unb64(text: str) -> bytes:
    try:
        return unb64(text)
    except ValueError as error:
        raise InvalidToken("malformed") from error


S = TypeVar("S", bound=msgspec.Struct)


def _decode(raw: bytes, kind: type[S]) -> S:
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.DecodeError as error:  # ValidationError is a DecodeError
        raise InvalidToken("malformed") from error


def claims_from(connection: ASGIConnection[Any, Any, Any, Any], verifier: Verifier) -> Claims:
    """The verified claims of a request's bearer token, or 401."""
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException()
    try:
        return verifier.verify(token)
    except InvalidToken as error:
        raise NotAuthorizedException() from error


Caller: TypeAlias = NamedDependency[SkipValidation[Claims]]
"""Annotate a handler parameter ``claims: Caller`` to receive the verified token's claims
(not checked again against their type on every request: the verifier decoded them)."""


def require_role(claims: Claims, *roles: Role) -> None:
    """403 unless the actor has one of ``roles``."""
    if claims.role not in roles:
        raise PermissionDeniedException()
