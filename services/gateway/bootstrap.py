"""gateway's composition root."""

from pathlib import Path

from litestar import Litestar

from libs.runtime.backbone import Backbone, service_migrations
from libs.runtime.settings import ServiceSettings
from services.gateway.http import create_app
from services.gateway.settings import load_upstreams
from services.gateway.upstreams import Upstreams

SERVICE = "gateway"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def bootstrap(settings: ServiceSettings) -> Litestar:
    """Wire the gateway's backbone and upstream clients into its HTTP app."""
    backbone = Backbone(
        service=SERVICE,
        core=settings.core,
        events=settings.events,
        migrations=service_migrations(SERVICE, MIGRATIONS),
    )
    return create_app(backbone, Upstreams(load_upstreams()))
