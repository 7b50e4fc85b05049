"""fileshare's composition root."""

from pathlib import Path

from litestar import Litestar

from libs.events.clock import Clock, system_clock
from libs.events.consumer import AfterCommit
from libs.mail.smtp import Sender, SmtpSender
from libs.runtime.backbone import service_backbone
from services.fileshare.adapters.clamd import Clamd, ClamdAddress
from services.fileshare.app.context import Context
from services.fileshare.bus import RIGHTS
from services.fileshare.consumers import PROJECTIONS
from services.fileshare.http import create_app
from services.fileshare.runtime import FileshareRuntime
from services.fileshare.settings import FileshareSettings

SERVICE = "fileshare"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def bootstrap(
    settings: FileshareSettings,
    *,
    clock: Clock = system_clock,
    sender: Sender | None = None,
    mail_after_commit: AfterCommit | None = None,
) -> Litestar:
    """Wire fileshare's backbone, scanner, mailer and clock into its HTTP app."""
    own = settings.own
    backbone = service_backbone(
        SERVICE, settings, MIGRATIONS, projections=PROJECTIONS, rights=RIGHTS
    )
    scanner = Clamd(
        ClamdAddress(host=own.clamd_host, port=own.clamd_port, socket=own.clamd_socket),
        timeout=own.clamd_timeout_s,
    )
    ctx = Context(backbone=backbone, own=own, scanner=scanner, clock=clock)
    runtime = FileshareRuntime(
        ctx, sender or SmtpSender(own.smtp), mail_after_commit=mail_after_commit
    )
    return create_app(ctx, runtime)
