"""The gateway's HTTP app: the public surfaces, composed from the services' internal APIs."""

from litestar import Litestar

from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from services.gateway.upstreams import Upstreams


def create_app(backbone: Backbone, upstreams: Upstreams) -> Litestar:
    """The gateway app; its readiness includes every service behind it."""

    async def readiness() -> dict[str, bool]:
        own = await backbone.readiness()
        services = await upstreams.readiness()
        return {**own, **{f"service:{name}": ok for name, ok in services.items()}}

    app = service_app(backbone, [], readiness=readiness)
    app.on_startup.append(upstreams.start)
    app.on_shutdown.insert(0, upstreams.stop)
    return app
