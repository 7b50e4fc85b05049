"""User routes (the user API's ファイル共有): upload, own shares, downloads (SPEC F1–F4, F7).

The contract with the gateway: a user's file-share request reaches fileshare only after
the gateway had identity verify the user's second password; it then signs the internal
token with ``second_password_at`` (when that happened, Unix seconds). fileshare refuses
(403 ``second_password_required``) a user token without it or with one older than
``FUMIDAI_FILESHARE_SECOND_PASSWORD_MAX_AGE_S`` (10 min by default). The token's ``sub``
is the user's account, ``facility`` its facility, ``ip`` the source address (院内外).
A share that is not the caller's answers 404, like a missing one. "The caller's" means the
live user holding that account now, by its id: a deleted user's shares are nobody's here.
"""

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from libs.runtime.internal_auth import Caller, Claims, require_role
from services.fileshare.adapters.postgres import live_user_id
from services.fileshare.api.transfer import receive_upload, stream_download
from services.fileshare.app.context import Context
from services.fileshare.app.downloads import open_download
from services.fileshare.app.queries import one_share, user_shares
from services.fileshare.contract import OWN_SHARES_PATH, UPLOAD_BODY_LIMIT, ShareList, ShareOut
from services.fileshare.domain.errors import forbidden, not_found

PAGE_MAX = 200
BASE = OWN_SHARES_PATH
CLOCK_SKEW_S = 30.0
"""A verification stamped this far in the future still counts (gateway clock ahead)."""


def check_second_password(claims: Claims, now: float, max_age: float) -> None:
    """403 unless the user's second password was verified within ``max_age`` seconds."""
    require_role(claims, "user")
    at = claims.second_password_at
    if at is None or not -CLOCK_SKEW_S <= now - at <= max_age:
        raise forbidden("second_password_required")


def user_routes(ctx: Context) -> list[HTTPRouteHandler]:
    def verified(claims: Claims) -> None:
        check_second_password(claims, ctx.clock().timestamp(), ctx.own.second_password_max_age_s)

    @post(
        BASE, operation_id="uploadMyShare", status_code=201, request_max_body_size=UPLOAD_BODY_LIMIT
    )
    async def upload(claims: Caller, request: Request[Any, Any, Any]) -> ShareOut:
        """「アップロード」: multipart body, the ``manifest`` part first (see app.upload)."""
        verified(claims)
        return await receive_upload(ctx, claims, request, "owner")

    @get(BASE, operation_id="listMyShares")
    async def list_mine(
        claims: Caller,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> ShareList:
        verified(claims)
        async with ctx.pool.acquire() as conn:
            owner_id = await live_user_id(conn, claims.facility, claims.sub)
            if owner_id is None:
                return ShareList(items=[], total=0)
            return await user_shares(conn, claims.facility, owner_id, limit, offset, ctx.clock())

    @get(f"{BASE}/{{share_id:str}}", operation_id="getMyShare")
    async def get_mine(share_id: FromPath[str], claims: Caller) -> ShareOut:
        verified(claims)
        async with ctx.pool.acquire() as conn:
            owner_id = await live_user_id(conn, claims.facility, claims.sub)
            found = (
                await one_share(
                    conn, claims.facility, share_id, "owner", ctx.clock(), owner_id=owner_id
                )
                if owner_id
                else None
            )
        if found is None:
            raise not_found()
        return found

    @get(f"{BASE}/{{share_id:str}}/files/{{file_id:str}}", operation_id="downloadMyShareFile")
    async def download(share_id: FromPath[str], file_id: FromPath[str], claims: Caller) -> Stream:
        """A clean file of the user's own share, available or approved, within its period."""
        verified(claims)
        return stream_download(
            await open_download(ctx, claims, claims.facility, share_id, file_id, "owner")
        )

    return [upload, list_mine, get_mine, download]
