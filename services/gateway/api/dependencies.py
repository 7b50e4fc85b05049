"""What the gateway's handlers receive by name (Litestar's dependency injection) instead
of reaching into one context object (docs/decisions/0038).

The composition root builds the adapters (``bootstrap.py``); ``app_dependencies`` hands
each to the app under one name. The caller and its relay are per request, resolved from
what the route's guard found.
"""

from typing import Any

from litestar import Request
from litestar.di import Provide

from libs.runtime.app import CONSISTENCY_HEADER, Injected, provided
from libs.runtime.source_address import source_ip
from services.gateway.adapters.sessions import SessionStore
from services.gateway.adapters.throttle import Throttle
from services.gateway.adapters.upstreams import Upstreams
from services.gateway.api.auth import Caller
from services.gateway.api.guards import provide_caller
from services.gateway.api.relay import Relay
from services.gateway.settings import GatewayOwn

# What handlers and providers name to receive (Litestar resolves each by its name).
# ``Injected``: each is the gateway's own object, not a client's input, and Litestar
# would check it against its type on every request (docs/decisions/0049).
Relaying = Injected[Relay]
SignedInCaller = Injected[Caller]
UpstreamClients = Injected[Upstreams]
Sessions = Injected[SessionStore]
RateLimits = Injected[Throttle]
Settings = Injected[GatewayOwn]
ClientIp = Injected[str | None]


async def provide_relay(
    request: Request[Any, Any, Any], upstreams: UpstreamClients, caller: SignedInCaller
) -> Relay:
    """The admin API's relay: calls wait for the client's consistency token."""
    return Relay(upstreams, caller, request.headers.get(CONSISTENCY_HEADER) or None)


async def provide_user_relay(upstreams: UpstreamClients, caller: SignedInCaller) -> Relay:
    """The user API's relay: its calls pass no consistency token on."""
    return Relay(upstreams, caller, None)


async def provide_client_ip(request: Request[Any, Any, Any], settings: Settings) -> str | None:
    """The client's address, believing only the trusted proxies (decision 0028)."""
    return source_ip(request, settings.trusted_proxies)


SIGNED_IN = {"caller": Provide(provide_caller)}
"""The dependency of a controller that needs only the caller its guard resolved."""
ADMIN_CALLS = {"caller": Provide(provide_caller), "relay": Provide(provide_relay)}
"""The dependencies of an admin API controller guarded by the signed-in admin."""
USER_CALLS = {"caller": Provide(provide_caller), "relay": Provide(provide_user_relay)}
"""The dependencies of the user API's controller guarded by the signed-in user."""


def app_dependencies(
    upstreams: UpstreamClients, sessions: Sessions, throttle: RateLimits, settings: GatewayOwn
) -> dict[str, Provide]:
    """The adapters and settings the composition root built, by the names handlers use."""
    return {
        "upstreams": provided(lambda: upstreams),
        "sessions": provided(lambda: sessions),
        "throttle": provided(lambda: throttle),
        "settings": provided(lambda: settings),
        "client_ip": Provide(provide_client_ip),
    }
