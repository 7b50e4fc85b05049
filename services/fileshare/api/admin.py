"""Admin routes (「ファイル共有」 screen, SPEC F5, F8, A7): the facility's shares, the 「承認」
tab, decisions, uploads to users and downloads. Another facility's share, or a facility
the caller does not belong to, answers 404 exactly like a missing one (SPEC T3)."""

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from libs.runtime.internal_auth import Caller, Claims, require_role
from services.fileshare.api.transfer import receive_upload, stream_download
from services.fileshare.app.context import Context
from services.fileshare.app.decisions import decide_share
from services.fileshare.app.downloads import open_download
from services.fileshare.app.queries import View, facility_shares, one_share
from services.fileshare.contract import SHARES_PATH, UPLOAD_BODY_LIMIT, ShareList, ShareOut
from services.fileshare.domain.errors import not_found

PAGE_MAX = 200
BASE = SHARES_PATH


def _staff(claims: Claims, code: str, *roles: str) -> None:
    """Admins (and, to read, operators) of ``code``; any other facility looks missing."""
    require_role(claims, *roles)  # type: ignore[arg-type]
    if not claims.may_act_in(code):
        raise not_found()


def admin_routes(ctx: Context) -> list[HTTPRouteHandler]:
    async def listing(code: str, view: View, limit: int, offset: int) -> ShareList:
        async with ctx.pool.acquire() as conn:
            return await facility_shares(conn, code, view, limit, offset, ctx.clock())

    @get(BASE, operation_id="listShares")
    async def list_shares(
        code: FromPath[str],
        claims: Caller,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> ShareList:
        """Every share of the facility, newest first (「ダウンロード」 tab, log links)."""
        _staff(claims, code, "admin", "operator")
        return await listing(code, "all", limit, offset)

    @get(f"{BASE}/approvals", operation_id="listShareApprovals")
    async def list_approvals(
        code: FromPath[str],
        claims: Caller,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> ShareList:
        """The 「承認」 tab: clean shares of 承認後に許可 users not decided yet (SPEC F5)."""
        _staff(claims, code, "admin", "operator")
        return await listing(code, "approvals", limit, offset)

    @get(f"{BASE}/{{share_id:str}}", operation_id="getShare")
    async def get_share(code: FromPath[str], share_id: FromPath[str], claims: Caller) -> ShareOut:
        _staff(claims, code, "admin", "operator")
        async with ctx.pool.acquire() as conn:
            found = await one_share(conn, code, share_id, "staff", ctx.clock())
        if found is None:
            raise not_found()
        return found

    @post(
        BASE,
        operation_id="uploadShareToUser",
        status_code=201,
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def upload(
        code: FromPath[str], claims: Caller, request: Request[Any, Any, Any]
    ) -> ShareOut:
        """An admin shares files with one of the facility's users (SPEC F8); multipart body,
        the manifest's ``recipient`` names the user."""
        _staff(claims, code, "admin")
        return await receive_upload(ctx, claims, request, "staff")

    async def decision(code: str, share_id: str, claims: Claims, approve: bool) -> ShareOut:
        _staff(claims, code, "admin")
        await decide_share(ctx, claims, code, share_id, approve=approve)
        async with ctx.pool.acquire() as conn:
            found = await one_share(conn, code, share_id, "staff", ctx.clock())
        assert found is not None
        return found

    @post(f"{BASE}/{{share_id:str}}/approve", operation_id="approveShare", status_code=200)
    async def approve(code: FromPath[str], share_id: FromPath[str], claims: Caller) -> ShareOut:
        """「承認」: final; of two admins at once exactly one succeeds, the other gets 409."""
        return await decision(code, share_id, claims, True)

    @post(f"{BASE}/{{share_id:str}}/deny", operation_id="denyShare", status_code=200)
    async def deny(code: FromPath[str], share_id: FromPath[str], claims: Caller) -> ShareOut:
        """「否認」: final, like 「承認」."""
        return await decision(code, share_id, claims, False)

    @get(f"{BASE}/{{share_id:str}}/files/{{file_id:str}}", operation_id="downloadShareFile")
    async def download(
        code: FromPath[str], share_id: FromPath[str], file_id: FromPath[str], claims: Caller
    ) -> Stream:
        """A clean file within its period, whatever the approval (A7, F5 MEMO); logged."""
        _staff(claims, code, "admin", "operator")
        return stream_download(await open_download(ctx, claims, code, share_id, file_id, "staff"))

    return [list_shares, list_approvals, get_share, upload, approve, deny, download]
