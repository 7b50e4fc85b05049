"""gateway's composition root."""

from pathlib import Path

from litestar import Litestar

from libs.runtime.backbone import Backbone, service_migrations
from libs.runtime.settings import ServiceSettings
from services.gateway.consumers import PROJECTIONS
from services.gateway.gateway_context import Gateway
from services.gateway.http import create_app
from services.gateway.settings import GatewayOwn, UpstreamSettings, load_gateway_own, load_upstreams
from services.gateway.upstreams import Upstreams

SERVICE = "gateway"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def bootstrap(
    settings: ServiceSettings,
    upstreams: UpstreamSettings | None = None,
    own: GatewayOwn | None = None,
) -> Litestar:
    """Wire the gateway's backbone, sessions and upstream clients into its HTTP app."""
    backbone = Backbone(
        service=SERVICE,
        core=settings.core,
        events=settings.events,
        migrations=service_migrations(SERVICE, MIGRATIONS),
        projections=PROJECTIONS,
    )
    clients = Upstreams(upstreams or load_upstreams(), settings.core.internal_token_secret)
    return create_app(Gateway.build(backbone, clients, own or load_gateway_own()))
