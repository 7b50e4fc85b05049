"""Admin routes (「ファイル共有」 screen, SPEC F5, F8, A7): the facility's shares, the 「承認」
tab, decisions, uploads to users and downloads. Another facility's share, or a facility
the caller does not belong to, answers 404 exactly like a missing one (SPEC T3).

Admins and operators read; only admins upload and decide (a handler's own guard, checked
after the controller's, so the order of answers is role, facility, then the admin role).
"""

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from libs.runtime.guards import acts_in_path_facility, requires_role
from libs.runtime.internal_auth import Caller, Claims
from services.fileshare.adapters.share_views import View, facility_shares, one_share
from services.fileshare.api.provided import Ctx, Db
from services.fileshare.api.transfer import receive_upload, stream_download
from services.fileshare.app.context import Context
from services.fileshare.app.decisions import decide_share
from services.fileshare.app.downloads import open_download
from services.fileshare.contract import SHARES_PATH, UPLOAD_BODY_LIMIT, ShareList, ShareOut
from services.fileshare.domain.errors import not_found

PAGE_MAX = 200


async def _listing(
    ctx: Context, db: asyncpg.Pool, code: str, view: View, limit: int, offset: int
) -> ShareList:
    async with db.acquire() as conn:
        return await facility_shares(conn, code, view, limit, offset, ctx.clock())


async def _staff_share(ctx: Context, db: asyncpg.Pool, code: str, share_id: str) -> ShareOut | None:
    async with db.acquire() as conn:
        return await one_share(conn, code, share_id, "staff", ctx.clock())


async def _decision(
    ctx: Context, db: asyncpg.Pool, code: str, share_id: str, claims: Claims, approve: bool
) -> ShareOut:
    await decide_share(ctx, claims, code, share_id, approve=approve)
    found = await _staff_share(ctx, db, code, share_id)
    assert found is not None
    return found


class SharesController(Controller):
    """The facility's shares, as its admins (and, to read, operators) see them."""

    path = SHARES_PATH
    guards = (acts_in_path_facility("admin", "operator", not_found=not_found),)

    @get("/", operation_id="listShares")
    async def list_shares(
        self,
        code: FromPath[str],
        ctx: Ctx,
        db: Db,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> ShareList:
        """Every share of the facility, newest first (「ダウンロード」 tab, log links)."""
        return await _listing(ctx, db, code, "all", limit, offset)

    @get("/approvals", operation_id="listShareApprovals")
    async def list_approvals(
        self,
        code: FromPath[str],
        ctx: Ctx,
        db: Db,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> ShareList:
        """The 「承認」 tab: clean shares of 承認後に許可 users not decided yet (SPEC F5)."""
        return await _listing(ctx, db, code, "approvals", limit, offset)

    @get("/{share_id:str}", operation_id="getShare")
    async def get_share(
        self, code: FromPath[str], share_id: FromPath[str], ctx: Ctx, db: Db
    ) -> ShareOut:
        found = await _staff_share(ctx, db, code, share_id)
        if found is None:
            raise not_found()
        return found

    @post(
        "/",
        operation_id="uploadShareToUser",
        status_code=201,
        request_max_body_size=UPLOAD_BODY_LIMIT,
        guards=[requires_role("admin")],
    )
    async def upload(
        self, claims: Caller, request: Request[Any, Any, Any], ctx: Ctx, db: Db
    ) -> ShareOut:
        """An admin shares files with one of the facility's users (SPEC F8); multipart body,
        the manifest's ``recipient`` names the user."""
        return await receive_upload(ctx, db, claims, request, "staff")

    @post(
        "/{share_id:str}/approve",
        operation_id="approveShare",
        status_code=200,
        guards=[requires_role("admin")],
    )
    async def approve(
        self, code: FromPath[str], share_id: FromPath[str], claims: Caller, ctx: Ctx, db: Db
    ) -> ShareOut:
        """「承認」: final; of two admins at once exactly one succeeds, the other gets 409."""
        return await _decision(ctx, db, code, share_id, claims, True)

    @post(
        "/{share_id:str}/deny",
        operation_id="denyShare",
        status_code=200,
        guards=[requires_role("admin")],
    )
    async def deny(
        self, code: FromPath[str], share_id: FromPath[str], claims: Caller, ctx: Ctx, db: Db
    ) -> ShareOut:
        """「否認」: final, like 「承認」."""
        return await _decision(ctx, db, code, share_id, claims, False)

    @get("/{share_id:str}/files/{file_id:str}", operation_id="downloadShareFile")
    async def download(
        self,
        code: FromPath[str],
        share_id: FromPath[str],
        file_id: FromPath[str],
        claims: Caller,
        ctx: Ctx,
    ) -> Stream:
        """A clean file within its period, whatever the approval (A7, F5 MEMO); logged."""
        return stream_download(await open_download(ctx, claims, code, share_id, file_id, "staff"))
