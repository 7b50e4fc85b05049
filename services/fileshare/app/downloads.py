"""Downloads (SPEC F3, F7, F8, A7): clean files of shares within their download period,
streamed from the object store; every download is recorded before its first byte."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

from libs.events.catalogue.fileshare import ShareDownloaded
from libs.events.envelope import next_event
from libs.events.ids import new_id
from libs.runtime.internal_auth import Claims
from services.fileshare.app import metrics
from services.fileshare.app.blob_store import BlobMissing, blob_name
from services.fileshare.app.context import Context
from services.fileshare.domain.errors import gone, not_found
from services.fileshare.domain.network import direction
from services.fileshare.domain.share import Viewer, check_download


@dataclass(frozen=True)
class Download:
    name: str
    size: int
    chunks: AsyncIterator[bytes]


async def open_download(
    ctx: Context, claims: Claims, facility: str, share_id: str, file_id: str, viewer: Viewer
) -> Download:
    """Check, log (``ShareDownloaded``) and open one file for streaming.

    ``viewer`` ``owner`` sees only the caller's own shares; any other answers 404.
    """
    async with ctx.uow() as uow:
        share = await uow.share(facility, share_id)
    if share is None or (viewer == "owner" and not await _owns(ctx, claims, share.owner_id)):
        raise not_found()
    file = share.file(file_id)
    check_download(share, viewer, ctx.clock())
    try:
        chunks = await ctx.blobs.read(blob_name(facility, share_id, file_id))
    except BlobMissing as error:
        raise gone("share_expired") from error
    networks = await ctx.directory.policy(facility)
    logged = next_event(
        ShareDownloaded(
            share_id=share_id,
            owner_account=share.owner_account,
            file_id=file_id,
            name=file.name,
            size=file.size,
            direction=direction(claims.ip, networks.internal_networks if networks else ()),
        ),
        facility=facility,
        aggregate_id=new_id(),
        version=0,
        actor=claims.actor,
        at=ctx.clock(),
    )
    async with ctx.uow() as uow:
        await uow.append([logged])
        await uow.commit()
    return Download(file.name, file.size, _counted(chunks))


async def _owns(ctx: Context, claims: Claims, owner_id: str | None) -> bool:
    """The caller is the live user the share belongs to (by id, not by account name)."""
    if owner_id is None:
        return False
    return await ctx.directory.live_user_id(claims.facility, claims.sub) == owner_id


async def _counted(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        metrics.DOWNLOADED_BYTES.inc(len(chunk))
        yield chunk
