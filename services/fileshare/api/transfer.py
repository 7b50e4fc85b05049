"""The HTTP ends of uploads and downloads, shared by the admin and user routes."""

from typing import Any
from urllib.parse import quote

import asyncpg
from litestar import Request
from litestar.response import Stream

from libs.runtime.internal_auth import Claims
from services.fileshare.adapters.share_views import one_share
from services.fileshare.app.context import Context
from services.fileshare.app.downloads import Download
from services.fileshare.app.upload import upload_share
from services.fileshare.contract import ShareOut
from services.fileshare.domain.share import Viewer


async def receive_upload(
    ctx: Context,
    db: asyncpg.Pool,
    claims: Claims,
    request: Request[Any, Any, Any],
    viewer: Viewer,
) -> ShareOut:
    """Stream the request body into a new share and answer it as the caller sees it."""
    share = await upload_share(
        ctx, claims, request.headers.get("content-type", ""), request.stream()
    )
    async with db.acquire() as conn:
        out = await one_share(conn, share.facility, share.share_id, viewer, ctx.clock())
    assert out is not None
    return out


def content_disposition(name: str) -> str:
    """``attachment`` with the name as given (RFC 6266/5987) and an ASCII stand-in; the
    browser, not the server, turns it into a safe local file name."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\/' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def stream_download(download: Download) -> Stream:
    return Stream(
        download.chunks,
        media_type="application/octet-stream",
        headers={
            "Content-Length": str(download.size),
            "Content-Disposition": content_disposition(download.name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
