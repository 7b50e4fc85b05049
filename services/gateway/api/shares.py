"""``/api/v1/facilities/{code}/shares``: the admin's 「ファイル共有」 (SPEC F5, F8, A7),
relayed to fileshare; uploads and downloads are streamed through, never held whole."""

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter

from libs.runtime.paths import fill
from services.fileshare.contract import SHARES_PATH, UPLOAD_BODY_LIMIT, ShareList, ShareOut
from services.gateway.api.bodies import share_upload, with_body
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY, problems
from services.gateway.gateway_context import Gateway
from services.gateway.relay import consistency, relay_body, relay_stream, seg

TAGS = ["shares"]
UPLOAD_TIMEOUT_S = 600.0
"""99 MB over a slow hospital line: far longer than a JSON call."""


def share_routes(gw: Gateway) -> list[HTTPRouteHandler]:
    """The facility's shares, the 「承認」 tab, decisions, uploads to users, downloads."""

    def upstream(code: str, rest: str = "") -> str:
        return fill(SHARES_PATH, code=code) + rest

    async def call(
        request: Request[Any, Any, Any],
        code: str,
        method: str,
        rest: str = "",
        params: dict[str, Any] | None = None,
    ) -> Response[Any]:
        return await gw.as_admin_of(
            request, code, "fileshare", method, upstream(code, rest), params=params
        )

    Limit = Annotated[int, QueryParameter(ge=1, le=200)]
    Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]

    @get(
        f"{ADMIN_BASE}/shares",
        operation_id="listShares",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_shares(
        request: Request[Any, Any, Any], code: FromPath[str], limit: Limit = 50, offset: Offset = 0
    ) -> Response[ShareList]:
        """Every share of the facility, newest first (「ダウンロード」 tab)."""
        return await call(request, code, "GET", params={"limit": limit, "offset": offset})

    @get(
        f"{ADMIN_BASE}/shares/approvals",
        operation_id="listShareApprovals",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_approvals(
        request: Request[Any, Any, Any], code: FromPath[str], limit: Limit = 50, offset: Offset = 0
    ) -> Response[ShareList]:
        """The 「承認」 tab: clean shares of 承認後に許可 users not decided yet (F5)."""
        params = {"limit": limit, "offset": offset}
        return await call(request, code, "GET", "/approvals", params=params)

    @get(
        f"{ADMIN_BASE}/shares/{{share_id:str}}",
        operation_id="getShare",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_share(
        request: Request[Any, Any, Any], code: FromPath[str], share_id: FromPath[str]
    ) -> Response[ShareOut]:
        return await call(request, code, "GET", f"/{seg(share_id)}")

    @post(
        f"{ADMIN_BASE}/shares",
        operation_id="uploadShareToUser",
        status_code=201,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=problems(400, 401, 403, 404, 409, 413, 503),
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_class=with_body(share_upload(recipient=True)),
    )
    async def upload(request: Request[Any, Any, Any], code: FromPath[str]) -> Response[ShareOut]:
        """「アップロード」 to a user (F8): ``multipart/form-data``, the ``manifest`` part first
        (``{"purpose", "files": [{"name", "size"}], "recipient": <account>}``), then the files.
        """
        caller = await gw.admin_of(request, code)
        answer = await relay_body(
            request,
            "upload_too_large",
            lambda body: gw.upstreams.open(
                "fileshare",
                "POST",
                upstream(code),
                caller.acting,
                content=body,
                headers={
                    **consistency(request),
                    "content-type": request.headers.get("content-type", ""),
                },
                timeout=UPLOAD_TIMEOUT_S,
            ),
        )
        return await relay_stream(answer)

    @post(
        f"{ADMIN_BASE}/shares/{{share_id:str}}/approve",
        operation_id="approveShare",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def approve(
        request: Request[Any, Any, Any], code: FromPath[str], share_id: FromPath[str]
    ) -> Response[ShareOut]:
        """「承認」: final; of two admins at once exactly one counts, the other gets 409 (F5)."""
        return await call(request, code, "POST", f"/{seg(share_id)}/approve")

    @post(
        f"{ADMIN_BASE}/shares/{{share_id:str}}/deny",
        operation_id="denyShare",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def deny(
        request: Request[Any, Any, Any], code: FromPath[str], share_id: FromPath[str]
    ) -> Response[ShareOut]:
        """「否認」: final, like 「承認」."""
        return await call(request, code, "POST", f"/{seg(share_id)}/deny")

    @get(
        f"{ADMIN_BASE}/shares/{{share_id:str}}/files/{{file_id:str}}",
        operation_id="downloadShareFile",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
        media_type="application/octet-stream",
    )
    async def download(
        request: Request[Any, Any, Any],
        code: FromPath[str],
        share_id: FromPath[str],
        file_id: FromPath[str],
    ) -> Response[bytes]:
        """「ダウンロード」: a clean file within its period; every download is logged (A7)."""
        caller = await gw.admin_of(request, code)
        answer = await gw.upstreams.open(
            "fileshare",
            "GET",
            upstream(code, f"/{seg(share_id)}/files/{seg(file_id)}"),
            caller.acting,
            headers=consistency(request),
            timeout=UPLOAD_TIMEOUT_S,
        )
        return await relay_stream(answer)

    return [list_shares, list_approvals, get_share, upload, approve, deny, download]
