"""The gateway's HTTP app: the public surfaces, composed from the services' internal APIs."""

from pathlib import Path

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.types import ControllerRouterHandler

from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from services.gateway.adapters.sessions import SessionStore
from services.gateway.adapters.throttle import Throttle
from services.gateway.adapters.upstreams import Upstreams
from services.gateway.api.agent import AgentController
from services.gateway.api.common import SIGNED_IN_BODY_LIMIT
from services.gateway.api.console import Console
from services.gateway.api.dependencies import app_dependencies
from services.gateway.api.facility import FacilityController
from services.gateway.api.guards import SESSION_CHECK, SessionCheck
from services.gateway.api.jobs import JobsController
from services.gateway.api.live_sessions import LiveSessionsController
from services.gateway.api.logs import LogsController
from services.gateway.api.openapi import OPENAPI, openapi_routes
from services.gateway.api.recovery import AdminRecoveryController, UserRecoveryController
from services.gateway.api.security_headers import security_headers
from services.gateway.api.session import (
    AdminSessionController,
    AdminSignInController,
    UserSessionController,
    UserSignInController,
)
from services.gateway.api.shares import SharesController
from services.gateway.api.terminals import TerminalsController
from services.gateway.api.user import UserApiController
from services.gateway.api.users import UsersController
from services.gateway.settings import GatewayOwn
from services.identity.contract import UPLOAD_SLACK, CsvLimits


def create_app(
    backbone: Backbone,
    upstreams: Upstreams,
    sessions: SessionStore,
    throttle: Throttle,
    settings: GatewayOwn,
    csv: CsvLimits,
) -> Litestar:
    """The gateway app. It is ready when it can serve: its own database, NATS and
    consumers; the services behind it are reported, not required, as a service that is
    down answers 503 on its own routes only (docs/decisions/0033)."""
    # identity's own CSV limit (the setting both read, decision 0034), plus the slack that
    # lets identity name it: identity refuses a larger file with its own message. Only
    # the import has a body among the jobs routes.
    jobs = Router(
        "/", route_handlers=[JobsController], request_max_body_size=csv.csv_max_bytes + UPLOAD_SLACK
    )
    routes: list[ControllerRouterHandler] = [
        AdminSignInController,
        AdminSessionController,
        AdminRecoveryController,
        UsersController,
        jobs,
        FacilityController,
        TerminalsController,
        LiveSessionsController,
        LogsController,
        SharesController,
        AgentController,
        UserSignInController,
        UserSessionController,
        UserRecoveryController,
        UserApiController,
        *openapi_routes(),
    ]
    cache = sessions.cache
    console = Console(Path(settings.ui_dir) if settings.ui_dir else None)
    # A client's consistency token names a service's event; the gateway passes it on to
    # that service, which waits. Its own projection (session revocations) answers no read,
    # and waiting on it held every such request for the whole bound first (0002).
    app = service_app(
        backbone,
        routes,
        upstreams=upstreams.readiness,
        on_startup=[upstreams.start, *([cache.start] if cache else [])],
        on_shutdown=[*([cache.stop] if cache else []), upstreams.stop],
        openapi_config=OPENAPI,
        reads_wait_for_tokens=False,
        public=True,
        dependencies=app_dependencies(upstreams, sessions, throttle, settings),
        state=State({SESSION_CHECK: SessionCheck(sessions, settings.trusted_proxies)}),
        request_max_body_size=SIGNED_IN_BODY_LIMIT,
        accepts_tokens=False,
        trusted_proxies=settings.trusted_proxies,
        # Inside the request ids and access lines: the console's answers have them too.
        front=lambda routes: security_headers(routes, console, https=settings.cookie_secure),
    )
    return app
