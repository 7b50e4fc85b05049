"""terminals's composition root."""

from pathlib import Path

from litestar import Litestar

from libs.events.clock import Clock, system_clock
from libs.runtime.backbone import service_backbone
from services.terminals.bus import RIGHTS
from services.terminals.consumers import PROJECTIONS
from services.terminals.http import create_app
from services.terminals.runtime import TerminalsRuntime
from services.terminals.settings import SERVICE, TerminalsSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def build_runtime(settings: TerminalsSettings, clock: Clock = system_clock) -> TerminalsRuntime:
    """terminals's backbone and runtime, not started; tests pass their clock."""
    backbone = service_backbone(
        SERVICE, settings, MIGRATIONS, projections=PROJECTIONS, rights=RIGHTS
    )
    return TerminalsRuntime(backbone, settings.own, clock)


def bootstrap(settings: TerminalsSettings, clock: Clock = system_clock) -> Litestar:
    """Wire terminals's backbone and runtime into its HTTP app."""
    return create_app(build_runtime(settings, clock))
