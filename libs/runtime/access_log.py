"""Each request's correlation id, and one structured access log line per request.

The id is taken from the caller's ``X-Request-Id`` only when the caller is believed: a
trusted proxy in front of the gateway, or the gateway itself calling a service (a genuine
internal token). Anyone else gets a fresh UUIDv7, so nobody can write a chosen id into
the suite's logs and events. It is answered in ``X-Request-Id`` and held for the request
(``libs.events.correlation``): log lines, internal calls and appended events carry it.

The access line holds the route template, never the raw path or its query string (which
may hold a recovery link's token), and no header: cookies, Authorization and the CSRF
token stay out of the log (docs/decisions/0045).
"""

import logging
import time
from typing import Any, cast

import structlog
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from libs.events.correlation import HEADER, correlated, new_correlation, well_formed
from libs.runtime.guards import CALLER_ROLE_STATE, caller_of
from libs.runtime.source_address import client_address, trusts

log = structlog.get_logger("access")

_HEADER = HEADER.lower().encode()
_QUIET = ("/health/", "/metrics")
_QUIET_SCOPE = "fumidai.access_quiet"


def served_outside_routes(scope: Scope, route: str, *, quiet: bool = False) -> None:
    """For an app answering inside this wrapper but outside the routes (the gateway's
    console): the ``route`` its access line names, not the raw path, and ``quiet`` to
    write that line at debug."""
    marked = cast("dict[str, Any]", scope)
    marked["path_template"] = route
    marked[_QUIET_SCOPE] = quiet


def _headers(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope["headers"] if key == name]


def _peer(scope: Scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def _believed(scope: Scope, trusted_proxies: tuple[str, ...], accepts_tokens: bool) -> bool:
    """Whether the caller may name the request's id: a trusted proxy, or a caller with a
    genuine internal token (verified once: the route's guard reuses the claims)."""
    peer = _peer(scope)
    if peer and trusted_proxies and trusts(peer, trusted_proxies):
        return True
    if not accepts_tokens:
        return False
    try:
        caller_of(ASGIConnection[Any, Any, Any, Any](scope))
    except NotAuthorizedException:
        return False
    return True


def request_id(scope: Scope, trusted_proxies: tuple[str, ...], accepts_tokens: bool) -> str:
    """The request's correlation id: the caller's, when well formed and believed; else new."""
    given = _headers(scope, _HEADER)
    if (
        len(given) == 1
        and well_formed(given[0])
        and _believed(scope, trusted_proxies, accepts_tokens)
    ):
        return given[0]
    return new_correlation()


def correlated_requests(
    app: ASGIApp, *, trusted_proxies: tuple[str, ...] = (), accepts_tokens: bool = True
) -> ASGIApp:
    """Wrap a Litestar app's ``asgi_handler``: every HTTP request runs under its id, answers
    it in ``X-Request-Id`` and leaves one ``request`` line in the log."""

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        answer = {"status": 500, "bytes": 0}
        with correlated(request_id(scope, trusted_proxies, accepts_tokens)) as current:
            header = (_HEADER, str(current).encode())

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    answer["status"] = message["status"]
                    message["headers"] = [*message.get("headers", ()), header]
                elif message["type"] == "http.response.body":
                    answer["bytes"] += len(message.get("body", b""))
                await send(message)

            try:
                await app(scope, receive, sending)
            finally:
                _access_line(scope, answer, started, trusted_proxies)

    return handler


def _access_line(
    scope: Scope, answer: dict[str, int], started: float, trusted_proxies: tuple[str, ...]
) -> None:
    route = str(scope.get("path_template") or "unrouted")
    # Probes and scrapes come every few seconds: at info they would drown the requests.
    quiet = route.startswith(_QUIET) or scope.get(_QUIET_SCOPE, False)
    logger = log.bind()
    level = logging.DEBUG if quiet else logging.INFO
    if not logger.is_enabled_for(level):
        return  # a line the level drops is not built either: its fields cost ~3 µs
    forwarded = ",".join(_headers(scope, b"x-forwarded-for"))
    logger.log(
        level,
        "request",
        method=cast("HTTPScope", scope)["method"],
        route=route,
        status=answer["status"],
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
        bytes=answer["bytes"],
        client=client_address(_peer(scope), forwarded, trusted_proxies),
        role=scope.get("state", {}).get(CALLER_ROLE_STATE),
    )
