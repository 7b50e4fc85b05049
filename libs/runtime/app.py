"""The Litestar app every service builds: its routes plus health, auth and errors."""

from collections.abc import Sequence
from typing import Any

from litestar import Litestar, Request
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from libs.config.env import SettingsError
from libs.runtime.backbone import Backbone
from libs.runtime.health import ReadinessCheck, health_handlers
from libs.runtime.internal_auth import Claims, claims_from
from libs.runtime.problems import EXCEPTION_HANDLERS


def service_app(
    backbone: Backbone,
    routes: Sequence[ControllerRouterHandler],
    readiness: ReadinessCheck | None = None,
) -> Litestar:
    """An app serving ``routes`` whose handlers may take ``claims`` (verified token)."""
    secret = backbone.core.internal_token_secret
    if len(secret) < 16:
        # Without it every internal call would be refused; better not to start at all.
        raise SettingsError("FUMIDAI_INTERNAL_TOKEN_SECRET must be set (16+ characters)")

    async def claims(request: Request[Any, Any, Any]) -> Claims:
        return claims_from(request, secret)

    return Litestar(
        route_handlers=[
            *health_handlers(backbone.service, readiness or backbone.readiness),
            *routes,
        ],
        dependencies={"claims": Provide(claims)},
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[backbone.start],
        on_shutdown=[backbone.stop],
        openapi_config=None,
    )
