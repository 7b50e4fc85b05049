"""fileshare's composition root: its backbone, its adapters behind the use cases' ports, the
parts it runs beside the backbone, and its app.

Started after the backbone and stopped before it: the blob store, the retry of scans put
off, the expiry sweep, and the mail consumer.
"""

import asyncio
from pathlib import Path

import msgspec
from litestar import Litestar
from litestar.di import Provide

from libs.aio.periodic import every
from libs.aio.tasks import cancel_and_wait
from libs.events.clock import Clock, system_clock
from libs.events.consumer import AfterCommit, ConsumerRunner
from libs.mail.smtp import Sender, SmtpSender
from libs.runtime.app import provided
from libs.runtime.backbone import Backbone, service_backbone
from services.fileshare.adapters.blobs import BlobStore
from services.fileshare.adapters.clamd import Clamd, ClamdAddress
from services.fileshare.adapters.mail_notifications import MailNotifications
from services.fileshare.adapters.postgres import PostgresDirectory, PostgresUnitOfWork
from services.fileshare.app.context import Context
from services.fileshare.app.expiry import expire_due
from services.fileshare.app.scanning import scan_pending
from services.fileshare.bus import RIGHTS
from services.fileshare.consumers import PROJECTIONS
from services.fileshare.http import create_app
from services.fileshare.settings import FileshareSettings

SERVICE = "fileshare"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MAIL_MAX_DELIVER = 1000
"""With the last retry delay (10 min by default) a mail is retried for about a week."""


class FileshareRuntime:
    """Starts and stops what fileshare runs besides its backbone and routes."""

    def __init__(
        self,
        backbone: Backbone,
        ctx: Context,
        sender: Sender,
        *,
        mail_after_commit: AfterCommit | None = None,
    ) -> None:
        self.backbone = backbone
        self.ctx = ctx
        self.mail = MailNotifications(ctx.own, sender)
        self._mail_after_commit = mail_after_commit
        self.mail_runner: ConsumerRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        backbone, own = self.backbone, self.ctx.own
        blobs = BlobStore(
            backbone.nc, own.bucket, replicas=backbone.events.replicas, chunk_size=own.chunk_size
        )
        await blobs.ensure()
        self.ctx.attach_blobs(blobs)
        # One mail per transaction, so that one failing mail never rolls back another
        # already handed to the SMTP server; retried for days rather than dead-lettered.
        settings = msgspec.structs.replace(
            backbone.events,
            consumer_batch=1,
            consumer_max_deliver=MAIL_MAX_DELIVER,
            nak_backoff_s=own.mail_retry_s,
        )
        self.mail_runner = ConsumerRunner(
            projection=self.mail,
            pool=backbone.pool,
            nc=backbone.nc,
            settings=settings,
            after_commit=self._mail_after_commit,
        )
        await self.mail_runner.start()
        ctx = self.ctx
        self._tasks = [
            asyncio.create_task(
                every(own.scan_retry_s, lambda: scan_pending(ctx), name="scan_pending"),
                name="scan-retry",
            ),
            asyncio.create_task(
                every(own.expiry_sweep_s, lambda: expire_due(ctx), name="expire_due"),
                name="expiry-sweep",
            ),
        ]

    async def stop(self) -> None:
        await cancel_and_wait(*self._tasks)
        self._tasks = []
        if self.mail_runner is not None:
            await self.mail_runner.stop()
            self.mail_runner = None

    async def readiness(self) -> dict[str, bool]:
        """The backbone's checks plus the mail consumer (clamd is not one: when it is away
        uploads still work and their files wait, 検査待ち)."""
        checks = await self.backbone.readiness()
        checks["consumer:fileshare_mail"] = (
            self.mail_runner is not None and self.mail_runner.running
        )
        return checks

    def dependencies(self) -> dict[str, Provide]:
        """What the routes are given, by name (``api/provided.py``)."""
        return {
            "ctx": provided(lambda: self.ctx),
            "db": provided(lambda: self.backbone.pool),
        }


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
    ctx = Context(
        own=own,
        new_uow=lambda: PostgresUnitOfWork(backbone.pool, backbone.committed),
        directory=PostgresDirectory(lambda: backbone.pool),
        scanner=scanner,
        clock=clock,
    )
    runtime = FileshareRuntime(
        backbone, ctx, sender or SmtpSender(own.smtp), mail_after_commit=mail_after_commit
    )
    return create_app(runtime)
