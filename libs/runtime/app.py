"""The Litestar app every service builds: its routes plus health, auth and errors."""

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeAlias, TypeVar

import structlog
from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.openapi import OpenAPIConfig
from litestar.params import SkipValidation
from litestar.types import ASGIApp, ControllerRouterHandler, Guard

from libs.config.env import SettingsError
from libs.events.consistency import wait_for_event
from libs.runtime.access_log import correlated_requests
from libs.runtime.backbone import Backbone
from libs.runtime.dependency_order import resolve_in_turn
from libs.runtime.guard_calls import guards_get_the_handler
from libs.runtime.guards import VERIFIER_STATE, caller_of
from libs.runtime.health import ReadinessCheck, health_handlers
from libs.runtime.internal_auth import Claims, Verifier
from libs.runtime.problems import EXCEPTION_HANDLERS
from libs.runtime.request_metrics import request_latency
from libs.runtime.token_keys import MalformedKey, trusted_keys

CONSISTENCY_HEADER = "x-fumidai-consistency"
"""The event id a request waits for (the consistency token a command returned)."""
CONSISTENCY_WAIT_S = 2.0

log = structlog.get_logger("http")

T = TypeVar("T")

Injected: TypeAlias = NamedDependency[SkipValidation[T]]
"""A handler parameter ``name: Injected[Type]`` receives the app's dependency ``name``: an
object the service's composition root built, passed as it is (Litestar would otherwise
check it against ``Type``, which a Protocol cannot be checked against)."""


def service_app(
    backbone: Backbone,
    routes: Sequence[ControllerRouterHandler],
    readiness: ReadinessCheck | None = None,
    *,
    upstreams: ReadinessCheck | None = None,
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
    openapi_config: OpenAPIConfig | None = None,
    reads_wait_for_tokens: bool = True,
    guards: Sequence[Guard] = (),
    dependencies: Mapping[str, Provide] | None = None,
    state: Mapping[str, Any] | None = None,
    public: bool = False,
    request_max_body_size: int = 10_000_000,
    accepts_tokens: bool = True,
    trusted_proxies: tuple[str, ...] = (),
    front: Callable[[ASGIApp], ASGIApp] | None = None,
) -> Litestar:
    """An app serving ``routes`` whose handlers may take ``claims`` (verified token) and
    ``dependencies`` (what its composition root built); ``state``: what its guards read.

    ``upstreams`` are reported by ``/health/ready`` without deciding it (the gateway's
    services: ``health.health_handlers``). ``on_startup`` hooks run after the backbone has
    started, ``on_shutdown`` hooks before it stops; ``openapi_config`` serves an OpenAPI document (none by default).
    ``reads_wait_for_tokens``: a request's consistency token makes it wait for this
    service's projections; off for a service that only passes tokens on (the gateway).
    ``guards`` run before a route's body is read; ``request_max_body_size`` is the routes'
    default limit (Litestar's own default: 10 MB). A ``public`` app (the gateway) never
    serves ``/metrics`` on its own port: only on ``metrics_port``, where monitoring alone
    reaches (issue 16, item 11).
    ``accepts_tokens``: off for a service no caller sends internal tokens (the gateway),
    which may then start without trusted keys.
    Every request runs under a correlation id and leaves an access line
    (``access_log``); ``trusted_proxies`` may name it and are believed about the client.
    ``front`` wraps the app's handler inside that: what it answers itself (the gateway's
    console) runs under an id and leaves an access line too.
    """
    verifier = _verifier(backbone, needed=accepts_tokens)
    resolve_in_turn()
    guards_get_the_handler()

    app = Litestar(
        route_handlers=[
            *health_handlers(
                backbone.service,
                readiness or backbone.readiness,
                metrics_route=not public and not backbone.core.metrics_port,
                upstreams=upstreams,
            ),
            *routes,
        ],
        dependencies={**(dependencies or {}), "claims": Provide(_claims)},
        state=State({**(state or {}), VERIFIER_STATE: verifier}),
        before_request=_read_your_writes(backbone, enabled=reads_wait_for_tokens),
        guards=list(guards),
        request_max_body_size=request_max_body_size,
        middleware=[request_latency],
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[backbone.start, *on_startup],
        on_shutdown=[*on_shutdown, backbone.stop],
        openapi_config=openapi_config,
    )
    handler = front(app.asgi_handler) if front is not None else app.asgi_handler
    app.asgi_handler = correlated_requests(
        handler, trusted_proxies=trusted_proxies, accepts_tokens=accepts_tokens
    )
    return app


async def _claims(request: Request[Any, Any, Any]) -> Claims:
    return caller_of(request)


def _read_your_writes(
    backbone: Backbone, *, enabled: bool
) -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """The hook that makes a request wait for the event its consistency token names."""

    async def read_your_writes(request: Request[Any, Any, Any]) -> None:
        """Wait (bounded) until this service has applied the event the caller names.

        DESIGN.md "Commands, queries and consistency"; docs/decisions/0002.
        """
        token = request.headers.get(CONSISTENCY_HEADER)
        if not token or not backbone.projections or not enabled:
            return
        try:
            uuid.UUID(token)
        except ValueError:
            return  # a malformed token cannot name an event: nothing to wait for
        try:
            caller_of(request)
        except NotAuthorizedException:
            # Anyone could otherwise hold a request 2 s and poll the database with a
            # random id (issue 16, item 9); the route refuses the caller at once.
            return
        if not await wait_for_event(backbone.pool, token, CONSISTENCY_WAIT_S):
            # Answer anyway, from what is there: a bounded wait, as DESIGN.md says.
            log.warning("consistency_wait_timed_out", event_id=token, path=request.url.path)

    return read_your_writes


class ServiceRuntime(Protocol):
    """What a service runs beside its backbone, started after it and stopped before it,
    and what its routes are given (built by its composition root)."""

    backbone: Backbone

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def readiness(self) -> dict[str, bool]: ...

    def dependencies(self) -> Mapping[str, Provide]: ...


def runtime_app(
    runtime: ServiceRuntime,
    routes: Sequence[ControllerRouterHandler],
    openapi_config: OpenAPIConfig | None = None,
    trusted_proxies: tuple[str, ...] = (),
) -> Litestar:
    """``service_app`` serving ``routes`` with ``runtime``'s dependencies, readiness and life."""
    return service_app(
        runtime.backbone,
        routes,
        runtime.readiness,
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop],
        openapi_config=openapi_config,
        dependencies=runtime.dependencies(),
        trusted_proxies=trusted_proxies,
    )


def provided(get: Callable[[], object]) -> Provide:
    """A dependency whose value the composition root built, read at each request (so a
    part made when the app starts is there by the time a request needs it)."""
    return Provide(get, sync_to_thread=False)


def _verifier(backbone: Backbone, *, needed: bool) -> Verifier:
    """The service's token verifier, from the public keys its settings trust."""
    try:
        keys = trusted_keys(backbone.core.token_trusted_keys)
    except MalformedKey as error:
        name = f"FUMIDAI_{backbone.service.upper()}_TOKEN_TRUSTED_KEYS"
        raise SettingsError(f"{name}: {error}") from error
    if needed and not keys:
        # Without them every internal call would be refused; better not to start at all.
        raise SettingsError(
            f"FUMIDAI_{backbone.service.upper()}_TOKEN_TRUSTED_KEYS must name the public "
            "keys of the callers this service accepts (docs/decisions/0027)"
        )
    return Verifier(backbone.service, keys)
