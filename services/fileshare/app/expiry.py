"""The end of the download period (SPEC F7): delete the files, keep the log row."""

import structlog

from libs.events.envelope import SYSTEM
from libs.events.store import ConcurrencyConflict
from services.fileshare.app.blob_store import blob_name
from services.fileshare.app.context import Context
from services.fileshare.app.envelopes import following
from services.fileshare.domain.share import expire

log = structlog.get_logger("fileshare.expiry")

BATCH = 100


async def expire_due(ctx: Context) -> int:
    """Delete the files of every share past its period and record ``ShareExpired``."""
    now = ctx.clock()
    expired = 0
    for key in await ctx.directory.shares_due(now, BATCH):
        try:
            async with ctx.uow() as uow:
                share = await uow.share(key.facility, key.share_id)
                if share is None:
                    continue
                event = expire(share, now)
                if event is None:
                    continue
                # Files first: a crash after this leaves the share to be expired again
                # (deleting twice is harmless), never an event claiming files that remain.
                for file in share.files:
                    await ctx.blobs.delete(blob_name(share.facility, share.share_id, file.file_id))
                _, envelopes = following(share, [event], actor=SYSTEM, at=now)
                await uow.append(envelopes)
                await uow.commit()
                expired += 1
        except ConcurrencyConflict:
            log.info("expiry_raced", share_id=key.share_id)
    return expired
