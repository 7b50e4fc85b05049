"""audit's composition root."""

from pathlib import Path

from litestar import Litestar

from libs.events.clock import Clock, system_clock
from libs.runtime.backbone import Backbone, service_migrations
from services.audit.bus import RIGHTS
from services.audit.consumers import PROJECTIONS
from services.audit.http import create_app
from services.audit.settings import SERVICE, AuditSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

__all__ = ["SERVICE", "bootstrap"]


def bootstrap(settings: AuditSettings, clock: Clock = system_clock) -> Litestar:
    """Wire audit's backbone, projections and workers into its HTTP app."""
    backbone = Backbone(
        service=SERVICE,
        core=settings.core,
        events=settings.events,
        migrations=service_migrations(SERVICE, MIGRATIONS),
        projections=PROJECTIONS,
        rights=RIGHTS,
        relay=False,  # audit writes no events of its own: it only projects others'
    )
    return create_app(backbone, settings.own, clock)
