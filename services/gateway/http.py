"""The gateway's HTTP app: the public surfaces, composed from the services' internal APIs."""

from pathlib import Path

from litestar import Litestar
from litestar.handlers import BaseRouteHandler

from libs.runtime.app import service_app
from services.gateway.api.agent import agent_routes
from services.gateway.api.common import SESSION_SECURITY, SIGNED_IN_BODY_LIMIT
from services.gateway.api.facility import facility_routes
from services.gateway.api.jobs import job_routes
from services.gateway.api.logs import log_routes
from services.gateway.api.recovery import recovery_routes
from services.gateway.api.session import session_routes, sign_in_routes
from services.gateway.api.shares import share_routes
from services.gateway.api.terminals import terminal_routes
from services.gateway.api.user import user_api_routes
from services.gateway.api.users import user_routes
from services.gateway.auth import signed_in_first
from services.gateway.console import Console
from services.gateway.gateway_context import Gateway
from services.gateway.openapi import OPENAPI, openapi_routes
from services.gateway.security import security_headers


def signed_in_route(handler: BaseRouteHandler) -> bool:
    """A route of a signed-in admin or user (its documented security is the session)."""
    return getattr(handler, "security", None) == SESSION_SECURITY


def create_app(gw: Gateway) -> Litestar:
    """The gateway app. It is ready when it can serve: its own database, NATS and
    consumers; the services behind it are reported, not required, as a service that is
    down answers 503 on its own routes only (docs/decisions/0033)."""

    routes = [
        *session_routes(gw),
        *recovery_routes(gw, "admin"),
        *user_routes(gw),
        *job_routes(gw),
        *facility_routes(gw),
        *terminal_routes(gw),
        *log_routes(gw),
        *share_routes(gw),
        *agent_routes(gw),
        *sign_in_routes(gw, "user"),
        *recovery_routes(gw, "user"),
        *user_api_routes(gw),
        *openapi_routes(),
    ]
    # A client's consistency token names a service's event; the gateway passes it on to
    # that service, which waits. Its own projection (session revocations) answers no read,
    # and waiting on it held every such request for the whole bound first (0002).
    app = service_app(
        gw.backbone,
        routes,
        upstreams=gw.upstreams.readiness,
        openapi_config=OPENAPI,
        reads_wait_for_tokens=False,
        public=True,
        guards=[signed_in_first(gw.sessions, signed_in_route)],
        request_max_body_size=SIGNED_IN_BODY_LIMIT,
        accepts_tokens=False,
    )
    app.on_startup.append(gw.upstreams.start)
    app.on_shutdown.insert(0, gw.upstreams.stop)
    if gw.sessions.cache is not None:
        app.on_startup.append(gw.sessions.cache.start)
        app.on_shutdown.insert(0, gw.sessions.cache.stop)
    console = Console(Path(gw.own.ui_dir) if gw.own.ui_dir else None)
    app.asgi_handler = security_headers(app.asgi_handler, console, https=gw.own.cookie_secure)
    app.state.gateway = gw
    return app
