"""fileshare's internal HTTP API (only the gateway calls it): admin and user routes.

Each area keeps its routes in ``api/``; this module only puts them together with the
service's own runtime, started after the backbone and stopped before it.
"""

from litestar import Litestar

from libs.runtime.app import service_app
from services.fileshare.api.admin import admin_routes
from services.fileshare.api.user import user_routes
from services.fileshare.app.context import Context
from services.fileshare.runtime import FileshareRuntime


def create_app(ctx: Context, runtime: FileshareRuntime) -> Litestar:
    """The Litestar app of fileshare, started and stopped with its backbone and runtime."""
    app = service_app(
        ctx.backbone, [*admin_routes(ctx), *user_routes(ctx)], readiness=runtime.readiness
    )
    app.on_startup.append(runtime.start)
    # Shutdown hooks run in list order: the runtime stops before the backbone it uses.
    app.on_shutdown.insert(0, runtime.stop)
    return app
