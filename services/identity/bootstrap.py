"""identity's composition root."""

from pathlib import Path

from litestar import Litestar

from libs.runtime.backbone import Backbone, service_migrations
from services.identity.app.signin import Clock, system_clock
from services.identity.consumers import PROJECTIONS
from services.identity.http import create_app
from services.identity.settings import IdentitySettings

SERVICE = "identity"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def bootstrap(settings: IdentitySettings, clock: Clock = system_clock) -> Litestar:
    """Wire identity's backbone into its HTTP app (``clock``: see ``create_app``)."""
    backbone = Backbone(
        service=SERVICE,
        core=settings.core,
        events=settings.events,
        migrations=service_migrations(SERVICE, MIGRATIONS),
        projections=PROJECTIONS,
    )
    return create_app(backbone, settings.own, clock)
