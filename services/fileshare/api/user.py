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

from types import MappingProxyType
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from libs.runtime.app import Injected
from libs.runtime.guards import requires_role
from libs.runtime.internal_auth import Caller, Claims, require_role
from services.fileshare.adapters.share_views import one_share, user_shares
from services.fileshare.api.provided import Ctx, Db
from services.fileshare.api.transfer import receive_upload, stream_download
from services.fileshare.app.downloads import open_download
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


async def verified_user(claims: Caller, ctx: Ctx) -> Claims:
    """The calling user's claims, once its second password is known to be recent."""
    check_second_password(claims, ctx.clock().timestamp(), ctx.own.second_password_max_age_s)
    return claims


VerifiedUser = Injected[Claims]
"""``user``: the caller, a user whose second password was verified recently."""


class MySharesController(Controller):
    """A user's own shares; the role is a guard, the second password a dependency (it
    needs the clock and the settings)."""

    path = OWN_SHARES_PATH
    guards = (requires_role("user"),)
    dependencies = MappingProxyType({"user": Provide(verified_user)})

    @post(
        "/", operation_id="uploadMyShare", status_code=201, request_max_body_size=UPLOAD_BODY_LIMIT
    )
    async def upload(
        self, user: VerifiedUser, request: Request[Any, Any, Any], ctx: Ctx, db: Db
    ) -> ShareOut:
        """「アップロード」: multipart body, the ``manifest`` part first (see app.upload)."""
        return await receive_upload(ctx, db, user, request, "owner")

    @get("/", operation_id="listMyShares")
    async def list_mine(
        self,
        user: VerifiedUser,
        ctx: Ctx,
        db: Db,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> ShareList:
        owner_id = await ctx.directory.live_user_id(user.facility, user.sub)
        if owner_id is None:
            return ShareList(items=[], total=0)
        async with db.acquire() as conn:
            return await user_shares(conn, user.facility, owner_id, limit, offset, ctx.clock())

    @get("/{share_id:str}", operation_id="getMyShare")
    async def get_mine(
        self, share_id: FromPath[str], user: VerifiedUser, ctx: Ctx, db: Db
    ) -> ShareOut:
        owner_id = await ctx.directory.live_user_id(user.facility, user.sub)
        found = None
        if owner_id:
            async with db.acquire() as conn:
                found = await one_share(
                    conn, user.facility, share_id, "owner", ctx.clock(), owner_id=owner_id
                )
        if found is None:
            raise not_found()
        return found

    @get("/{share_id:str}/files/{file_id:str}", operation_id="downloadMyShareFile")
    async def download(
        self, share_id: FromPath[str], file_id: FromPath[str], user: VerifiedUser, ctx: Ctx
    ) -> Stream:
        """A clean file of the user's own share, available or approved, within its period."""
        return stream_download(
            await open_download(ctx, user, user.facility, share_id, file_id, "owner")
        )
