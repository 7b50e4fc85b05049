"""``/user-api/v1``: what a user (利用者) does through 「リモートアクセス」 and 「ファイル共有」:
sign in (``/user-api/v1/session``, the same steps as admins), change the password, and
share files after the second password (SPEC F1–F4, F7).

The second password is checked by identity; the gateway then stamps the session, and each
file-share call carries that moment as ``second_password_at`` in its internal token, which
fileshare requires to be recent (docs/fileshare.md "Second password").
"""

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from services.fileshare.contract import OWN_SHARES_PATH, UPLOAD_BODY_LIMIT, ShareList, ShareOut
from services.gateway.api.bodies import share_upload, with_body
from services.gateway.api.common import SESSION_SECURITY, problems
from services.gateway.gateway_context import Gateway
from services.gateway.relay import relay_body, relay_stream, relayed, seg
from services.identity.contract import (
    OWN_PASSWORD_PATH,
    SECOND_PASSWORD_CHECK_PATH,
    PasswordChange,
    PasswordChangedOut,
    SecondPasswordCheck,
)

BASE = "/user-api/v1"
TAGS = ["user"]
PROBLEMS = problems(400, 401, 403, 404, 409, 503)
SHARES = OWN_SHARES_PATH
TRANSFER_TIMEOUT_S = 600.0


class SecondPasswordOut(msgspec.Struct, frozen=True, kw_only=True):
    verified_at: float
    """Unix seconds; file-share calls are allowed for a while after it (F7)."""


def user_api_routes(gw: Gateway) -> list[HTTPRouteHandler]:
    """The user's password, second password and file sharing."""

    @post(
        f"{BASE}/password",
        operation_id="userChangePassword",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        # 423: wrong current passwords count toward the lockout as sign-in failures do.
        responses=problems(400, 401, 403, 404, 409, 423, 503),
    )
    async def change_password(
        request: Request[Any, Any, Any], data: JSONBody[PasswordChange]
    ) -> Response[PasswordChangedOut]:
        """Change one's own password (the L1 policy applies). Every other session of the
        account ends at once: whoever else holds one (perhaps with the stolen password
        being replaced) is signed out; this session goes on (issue 16, item 6)."""
        caller = await gw.user(request)
        answer = await gw.upstreams.call(
            "identity",
            "POST",
            OWN_PASSWORD_PATH,
            caller.acting,
            json=msgspec.to_builtins(data),
        )
        if answer.status_code == 200:
            await gw.sessions.revoke_others(caller.token, caller.session.grant.account_id)
        return relayed(answer)

    @post(
        f"{BASE}/second-password",
        operation_id="userVerifySecondPassword",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=problems(400, 401, 403, 423, 503),
    )
    async def second_password(
        request: Request[Any, Any, Any], data: JSONBody[SecondPasswordCheck]
    ) -> Response[SecondPasswordOut]:
        """「第二パスワード」 before file sharing: checked by identity, remembered here."""
        caller = await gw.user(request)
        answer = await gw.upstreams.call(
            "identity",
            "POST",
            SECOND_PASSWORD_CHECK_PATH,
            caller.acting,
            json=msgspec.to_builtins(data),
        )
        if answer.status_code != 204:
            return relayed(answer)
        at = await gw.sessions.mark_second_password(caller.token)
        return Response(SecondPasswordOut(verified_at=at.timestamp()))

    @get(
        f"{BASE}/shares",
        operation_id="userListShares",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=PROBLEMS,
    )
    async def list_shares(
        request: Request[Any, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> Response[ShareList]:
        """The user's own shares, uploaded by or to them, newest first."""
        caller = await gw.user(request)
        answer = await gw.upstreams.call(
            "fileshare",
            "GET",
            SHARES,
            caller.acting,
            params={"limit": limit, "offset": offset},
        )
        return relayed(answer)

    @get(
        f"{BASE}/shares/{{share_id:str}}",
        operation_id="userGetShare",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=PROBLEMS,
    )
    async def get_share(
        request: Request[Any, Any, Any], share_id: FromPath[str]
    ) -> Response[ShareOut]:
        caller = await gw.user(request)
        answer = await gw.upstreams.call(
            "fileshare", "GET", f"{SHARES}/{seg(share_id)}", caller.acting
        )
        return relayed(answer)

    @post(
        f"{BASE}/shares",
        operation_id="userUploadShare",
        status_code=201,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=problems(400, 401, 403, 404, 409, 413, 503),
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_class=with_body(share_upload(recipient=False)),
    )
    async def upload(request: Request[Any, Any, Any]) -> Response[ShareOut]:
        """「アップロード」: ``multipart/form-data``, the ``manifest`` part first (F1)."""
        caller = await gw.user(request)
        answer = await relay_body(
            request,
            "upload_too_large",
            lambda body: gw.upstreams.open(
                "fileshare",
                "POST",
                SHARES,
                caller.acting,
                content=body,
                headers={"content-type": request.headers.get("content-type", "")},
                timeout=TRANSFER_TIMEOUT_S,
            ),
        )
        return await relay_stream(answer)

    @get(
        f"{BASE}/shares/{{share_id:str}}/files/{{file_id:str}}",
        operation_id="userDownloadShareFile",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=PROBLEMS,
        media_type="application/octet-stream",
    )
    async def download(
        request: Request[Any, Any, Any], share_id: FromPath[str], file_id: FromPath[str]
    ) -> Response[bytes]:
        """A clean file of one's own share, available or approved, within its period (F7)."""
        caller = await gw.user(request)
        answer = await gw.upstreams.open(
            "fileshare",
            "GET",
            f"{SHARES}/{seg(share_id)}/files/{seg(file_id)}",
            caller.acting,
            timeout=TRANSFER_TIMEOUT_S,
        )
        return await relay_stream(answer)

    return [change_password, second_password, list_shares, get_share, upload, download]
