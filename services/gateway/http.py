"""The gateway's HTTP app: the public surfaces, composed from the services' internal APIs."""

from litestar import Litestar

from libs.runtime.app import service_app
from services.gateway.api.session import session_routes
from services.gateway.gateway_context import Gateway
from services.gateway.security import security_headers


def create_app(gw: Gateway) -> Litestar:
    """The gateway app; its readiness includes every service behind it."""

    async def readiness() -> dict[str, bool]:
        own = await gw.backbone.readiness()
        services = await gw.upstreams.readiness()
        return {**own, **{f"service:{name}": ok for name, ok in services.items()}}

    app = service_app(gw.backbone, [*session_routes(gw)], readiness=readiness)
    app.on_startup.append(gw.upstreams.start)
    app.on_shutdown.insert(0, gw.upstreams.stop)
    app.asgi_handler = security_headers(app.asgi_handler)
    app.state.gateway = gw
    return app
