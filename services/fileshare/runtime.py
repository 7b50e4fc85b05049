"""fileshare's own moving parts, started after the backbone and stopped before it: the blob
store, the retry of scans put off, the expiry sweep, and the mail consumer."""

import asyncio
from collections.abc import Awaitable, Callable

import msgspec
import structlog

from libs.aio.tasks import cancel_and_wait
from libs.events.consumer import AfterCommit, ConsumerRunner
from libs.mail.smtp import Sender
from services.fileshare.adapters.blobs import BlobStore
from services.fileshare.app.context import Context
from services.fileshare.app.expiry import expire_due
from services.fileshare.app.notify import MailNotifications
from services.fileshare.app.scanning import scan_pending

log = structlog.get_logger("fileshare")

MAIL_MAX_DELIVER = 1000
"""With the last retry delay (10 min by default) a mail is retried for about a week."""


class FileshareRuntime:
    """Starts and stops what fileshare runs besides its backbone and routes."""

    def __init__(
        self, ctx: Context, sender: Sender, *, mail_after_commit: AfterCommit | None = None
    ) -> None:
        self.ctx = ctx
        self.mail = MailNotifications(ctx.own, sender)
        self._mail_after_commit = mail_after_commit
        self.mail_runner: ConsumerRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        backbone, own = self.ctx.backbone, self.ctx.own
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
        self._tasks = [
            asyncio.create_task(self._every(own.scan_retry_s, scan_pending), name="scan-retry"),
            asyncio.create_task(self._every(own.expiry_sweep_s, expire_due), name="expiry-sweep"),
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
        checks = await self.ctx.backbone.readiness()
        checks["consumer:fileshare_mail"] = (
            self.mail_runner is not None and self.mail_runner.running
        )
        return checks

    async def _every(self, seconds: float, job: Callable[[Context], Awaitable[int]]) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await job(self.ctx)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the loop must outlive any one failure
                log.warning("background_job_failed", job=job.__name__, error=repr(error))
