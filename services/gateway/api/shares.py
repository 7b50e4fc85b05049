"""``/api/v1/facilities/{code}/shares``: the admin's 「ファイル共有」 (SPEC F5, F8, A7),
relayed to fileshare; uploads and downloads are streamed through, never held whole."""

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter

from libs.runtime.paths import fill
from services.fileshare.contract import SHARES_PATH, UPLOAD_BODY_LIMIT, ShareList, ShareOut
from services.gateway.api.bodies import share_upload, with_body
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY, problems
from services.gateway.api.dependencies import ADMIN_CALLS, Relaying
from services.gateway.api.guards import admin_of_path_facility
from services.gateway.api.ordered import OrderedController
from services.gateway.api.relay import seg

TAGS = ["shares"]
UPLOAD_TIMEOUT_S = 600.0
"""99 MB over a slow hospital line: far longer than a JSON call."""
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]


def upstream(code: str, rest: str = "") -> str:
    """fileshare's path of the facility's shares, and ``rest`` under it."""
    return fill(SHARES_PATH, code=code) + rest


class SharesController(OrderedController):
    """The facility's shares, the 「承認」 tab, decisions, uploads to users, downloads."""

    path = ADMIN_BASE
    guards = (admin_of_path_facility,)
    dependencies = ADMIN_CALLS

    @get(
        "/shares",
        operation_id="listShares",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_shares(
        self, relay: Relaying, code: FromPath[str], limit: Limit = 50, offset: Offset = 0
    ) -> Response[ShareList]:
        """Every share of the facility, newest first (「ダウンロード」 tab)."""
        params = {"limit": limit, "offset": offset}
        return await relay.call("fileshare", "GET", upstream(code), params=params)

    @get(
        "/shares/approvals",
        operation_id="listShareApprovals",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_approvals(
        self, relay: Relaying, code: FromPath[str], limit: Limit = 50, offset: Offset = 0
    ) -> Response[ShareList]:
        """The 「承認」 tab: clean shares of 承認後に許可 users not decided yet (F5)."""
        params = {"limit": limit, "offset": offset}
        return await relay.call("fileshare", "GET", upstream(code, "/approvals"), params=params)

    @get(
        "/shares/{share_id:str}",
        operation_id="getShare",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_share(
        self, relay: Relaying, code: FromPath[str], share_id: FromPath[str]
    ) -> Response[ShareOut]:
        return await relay.call("fileshare", "GET", upstream(code, f"/{seg(share_id)}"))

    @post(
        "/shares",
        operation_id="uploadShareToUser",
        status_code=201,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=problems(400, 401, 403, 404, 409, 413, 503),
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_class=with_body(share_upload(recipient=True)),
    )
    async def upload(
        self, request: Request[Any, Any, Any], relay: Relaying, code: FromPath[str]
    ) -> Response[ShareOut]:
        """「アップロード」 to a user (F8): ``multipart/form-data``, the ``manifest`` part first
        (``{"purpose", "files": [{"name", "size"}], "recipient": <account>}``), then the files.
        """
        return await relay.upload(
            request, "fileshare", upstream(code), "upload_too_large", timeout=UPLOAD_TIMEOUT_S
        )

    @post(
        "/shares/{share_id:str}/approve",
        operation_id="approveShare",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def approve(
        self, relay: Relaying, code: FromPath[str], share_id: FromPath[str]
    ) -> Response[ShareOut]:
        """「承認」: final; of two admins at once exactly one counts, the other gets 409 (F5)."""
        return await relay.call("fileshare", "POST", upstream(code, f"/{seg(share_id)}/approve"))

    @post(
        "/shares/{share_id:str}/deny",
        operation_id="denyShare",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def deny(
        self, relay: Relaying, code: FromPath[str], share_id: FromPath[str]
    ) -> Response[ShareOut]:
        """「否認」: final, like 「承認」."""
        return await relay.call("fileshare", "POST", upstream(code, f"/{seg(share_id)}/deny"))

    @get(
        "/shares/{share_id:str}/files/{file_id:str}",
        operation_id="downloadShareFile",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
        media_type="application/octet-stream",
    )
    async def download(
        self, relay: Relaying, code: FromPath[str], share_id: FromPath[str], file_id: FromPath[str]
    ) -> Response[bytes]:
        """「ダウンロード」: a clean file within its period; every download is logged (A7)."""
        path = upstream(code, f"/{seg(share_id)}/files/{seg(file_id)}")
        return await relay.download("fileshare", path, timeout=UPLOAD_TIMEOUT_S)
