"""identity's composition root."""

from pathlib import Path

from litestar import Litestar

from libs.events.clock import Clock, system_clock
from libs.runtime.backbone import service_backbone
from services.identity.bus import RIGHTS
from services.identity.consumers import PROJECTIONS
from services.identity.http import create_app
from services.identity.settings import IdentitySettings

SERVICE = "identity"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
"""Every statement planned for its own parameters. The user searches are partial terms
matching anything from one user to all of them, and the right plan differs: walk the
facility's users in account order for a common term, read the trigram index for a rare
one. A prepared statement left to PostgreSQL switches to one generic plan after five
executions, which for a rare term walked every user of the facility (3.3 ms at 10,000
users against 0.3 ms, and ten times that at 100,000). Planning identity's other, simple
statements again each time costs tens of microseconds (decision 0007)."""


def bootstrap(settings: IdentitySettings, clock: Clock = system_clock) -> Litestar:
    """Wire identity's backbone into its HTTP app (``clock``: see ``create_app``)."""
    backbone = service_backbone(
        SERVICE,
        settings,
        MIGRATIONS,
        projections=PROJECTIONS,
        rights=RIGHTS,
        server_settings=SERVER_SETTINGS,
    )
    return create_app(backbone, settings.own, clock)
