"""audit's composition root."""

from pathlib import Path

from litestar import Litestar

from libs.runtime.backbone import Backbone, service_migrations
from libs.runtime.settings import ServiceSettings
from services.audit.consumers import PROJECTIONS
from services.audit.http import create_app

SERVICE = "audit"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def bootstrap(settings: ServiceSettings) -> Litestar:
    """Wire audit's backbone into its HTTP app."""
    backbone = Backbone(
        service=SERVICE,
        core=settings.core,
        events=settings.events,
        migrations=service_migrations(SERVICE, MIGRATIONS),
        projections=PROJECTIONS,
    )
    return create_app(backbone)
