"""Scan files that are still 検査待ち (clamd was away at upload): read each back from the
object store into clamd, and record its verdict (SPEC F3). Run periodically; every replica
may run it, the share's version decides which verdict is recorded.
"""

import contextlib

import structlog

from libs.events.envelope import SYSTEM
from libs.events.store import ConcurrencyConflict
from services.fileshare.app import metrics
from services.fileshare.app.blob_store import BlobCorrupt, BlobMissing, blob_name
from services.fileshare.app.context import Context
from services.fileshare.app.envelopes import following
from services.fileshare.app.scanner import ScannerUnavailable, Verdict
from services.fileshare.domain.share import Share, scanned

log = structlog.get_logger("fileshare.scan")

BATCH = 20


async def scan_pending(ctx: Context) -> int:
    """Offer every 検査待ち file (oldest shares first) to clamd; return how many got a verdict.

    Stops at the first sign that clamd is away: the files wait for the next round.
    """
    done = 0
    for key in await ctx.directory.shares_scanning(BATCH):
        async with ctx.uow() as uow:
            share = await uow.share(key.facility, key.share_id)
        if share is None:
            continue
        for file in share.files:
            if file.scan != "pending":
                continue
            try:
                verdict = await _scan(ctx, share, file.file_id)
            except ScannerUnavailable as error:
                metrics.SCANNER_UNAVAILABLE.inc()
                log.info("scan_put_off", share_id=share.share_id, error=str(error))
                return done
            metrics.SCANS.labels(verdict.result).inc()
            if not await _record(ctx, share.facility, share.share_id, file.file_id, verdict):
                break  # someone else moved the share on; look again next round
            done += 1
    return done


async def _scan(ctx: Context, share: Share, file_id: str) -> Verdict:
    session = await ctx.scanner.session()
    try:
        chunks = await ctx.blobs.read(blob_name(share.facility, share.share_id, file_id))
        async for chunk in chunks:
            await session.feed(chunk)
    except (BlobMissing, BlobCorrupt) as error:
        # Bytes that cannot be read back intact cannot be vouched for.
        await session.close()
        log.error(
            "scan_blob_unreadable", share_id=share.share_id, file_id=file_id, error=repr(error)
        )
        return Verdict("unscannable", "fumidai.BlobUnreadable")
    except BaseException:
        await session.close()
        raise
    return await session.finish()


async def _record(
    ctx: Context, facility: str, share_id: str, file_id: str, verdict: Verdict
) -> bool:
    try:
        async with ctx.uow() as uow:
            share = await uow.share(facility, share_id)
            if share is None:
                return False
            events = scanned(share, file_id, verdict.result, verdict.signature)
            if not events:
                return False
            after, envelopes = following(share, events, actor=SYSTEM, at=ctx.clock())
            if after.state == "blocked":
                await _delete_files(ctx, after)
            await uow.append(envelopes)
            await uow.commit()
    except ConcurrencyConflict:
        return False
    return True


async def _delete_files(ctx: Context, share: Share) -> None:
    for file in share.files:
        with contextlib.suppress(BlobMissing):
            await ctx.blobs.delete(blob_name(share.facility, share.share_id, file.file_id))
