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
from litestar.params import FromPath, JSONBody, QueryParameter

from services.fileshare.contract import OWN_SHARES_PATH, UPLOAD_BODY_LIMIT, ShareList, ShareOut
from services.gateway.api.bodies import share_upload, with_body
from services.gateway.api.common import SESSION_SECURITY, problems
from services.gateway.api.dependencies import USER_CALLS, Relaying, Sessions
from services.gateway.api.guards import signed_in_user
from services.gateway.api.ordered import OrderedController
from services.gateway.api.relay import relayed, seg
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


class UserApiController(OrderedController):
    """The user's password, second password and file sharing."""

    path = BASE
    guards = (signed_in_user,)
    dependencies = USER_CALLS

    @post(
        "/password",
        operation_id="userChangePassword",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        # 423: wrong current passwords count toward the lockout as sign-in failures do.
        responses=problems(400, 401, 403, 404, 409, 423, 503),
    )
    async def change_password(
        self, relay: Relaying, sessions: Sessions, data: JSONBody[PasswordChange]
    ) -> Response[PasswordChangedOut]:
        """Change one's own password (the L1 policy applies). Every other session of the
        account ends at once: whoever else holds one (perhaps with the stolen password
        being replaced) is signed out; this session goes on (issue 16, item 6)."""
        body = msgspec.to_builtins(data)
        answer = await relay.ask("identity", "POST", OWN_PASSWORD_PATH, json=body)
        if answer.status_code == 200:
            caller = relay.caller
            await sessions.revoke_others(caller.token, caller.session.grant.account_id)
        return relayed(answer)

    @post(
        "/second-password",
        operation_id="userVerifySecondPassword",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=problems(400, 401, 403, 423, 503),
    )
    async def second_password(
        self, relay: Relaying, sessions: Sessions, data: JSONBody[SecondPasswordCheck]
    ) -> Response[SecondPasswordOut]:
        """「第二パスワード」 before file sharing: checked by identity, remembered here."""
        body = msgspec.to_builtins(data)
        answer = await relay.ask("identity", "POST", SECOND_PASSWORD_CHECK_PATH, json=body)
        if answer.status_code != 204:
            return relayed(answer)
        at = await sessions.mark_second_password(relay.caller.token)
        return Response(SecondPasswordOut(verified_at=at.timestamp()))

    @get(
        "/shares",
        operation_id="userListShares",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=PROBLEMS,
    )
    async def list_shares(
        self,
        relay: Relaying,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> Response[ShareList]:
        """The user's own shares, uploaded by or to them, newest first."""
        params = {"limit": limit, "offset": offset}
        return await relay.call("fileshare", "GET", SHARES, params=params)

    @get(
        "/shares/{share_id:str}",
        operation_id="userGetShare",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=PROBLEMS,
    )
    async def get_share(self, relay: Relaying, share_id: FromPath[str]) -> Response[ShareOut]:
        return await relay.call("fileshare", "GET", f"{SHARES}/{seg(share_id)}")

    @post(
        "/shares",
        operation_id="userUploadShare",
        status_code=201,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=problems(400, 401, 403, 404, 409, 413, 503),
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_class=with_body(share_upload(recipient=False)),
    )
    async def upload(self, request: Request[Any, Any, Any], relay: Relaying) -> Response[ShareOut]:
        """「アップロード」: ``multipart/form-data``, the ``manifest`` part first (F1)."""
        return await relay.upload(
            request, "fileshare", SHARES, "upload_too_large", timeout=TRANSFER_TIMEOUT_S
        )

    @get(
        "/shares/{share_id:str}/files/{file_id:str}",
        operation_id="userDownloadShareFile",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=PROBLEMS,
        media_type="application/octet-stream",
    )
    async def download(
        self, relay: Relaying, share_id: FromPath[str], file_id: FromPath[str]
    ) -> Response[bytes]:
        """A clean file of one's own share, available or approved, within its period (F7)."""
        path = f"{SHARES}/{seg(share_id)}/files/{seg(file_id)}"
        return await relay.download("fileshare", path, timeout=TRANSFER_TIMEOUT_S)
