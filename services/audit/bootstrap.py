"""audit's composition root."""

from pathlib import Path

from litestar import Litestar

from libs.events.clock import Clock, system_clock
from libs.runtime.backbone import service_backbone
from services.audit.bus import RIGHTS
from services.audit.consumers import PROJECTIONS
from services.audit.http import create_app
from services.audit.settings import SERVICE, AuditSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

__all__ = ["SERVICE", "bootstrap"]


def bootstrap(settings: AuditSettings, clock: Clock = system_clock) -> Litestar:
    """Wire audit's backbone, projections and workers into its HTTP app."""
    # audit writes no events of its own: it only projects others'
    backbone = service_backbone(
        SERVICE, settings, MIGRATIONS, projections=PROJECTIONS, rights=RIGHTS, relay=False
    )
    return create_app(backbone, settings.own, clock)
