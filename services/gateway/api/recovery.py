"""「パスワードを忘れた場合」 (manual 2.0, issue 15, decision 0020) on both public surfaces,
before anyone is signed in: ``/api/v1/session/password-recovery…`` for admins (the
console) and ``/user-api/v1/session/password-recovery…`` for remote users (/share/).

The request answers 202 with one body whatever account it names; identity queues it and
mails a one-time link later, only to an account that has an authenticator bound. The
link's page posts the token (from the link's fragment) in bodies, never in a URL.
Requests are limited per account and per source address like sign-in (throttle.py), and
like the sign-in steps they take JSON from this site only (signin_guard, decision 0029).
"""

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody

from libs.runtime.documented import documented
from libs.runtime.problems import DomainError
from services.gateway.api.common import problems
from services.gateway.api.session import NO_SECURITY, Secret, TypedAccount
from services.gateway.gateway_context import Gateway
from services.gateway.messages import message
from services.gateway.relay import relayed
from services.gateway.signin_guard import check_sign_in_request
from services.gateway.upstreams import before_sign_in
from services.identity.contract import PASSWORD_MAX, PASSWORD_MIN, RECOVERY_PATH

BODY_LIMIT = 4096
"""Every body here is a few short strings: anything larger is refused unread (413)."""

Token = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=128,
        description="The token of the mailed link: what follows ``#token=`` in its address.",
    ),
]


class RecoveryRequestIn(msgspec.Struct, frozen=True, kw_only=True):
    """「パスワードを忘れた場合」: the account whose password is forgotten."""

    account: TypedAccount


class RecoveryRequestedOut(msgspec.Struct, frozen=True, kw_only=True):
    """The one answer to every request, whether the account exists or not."""

    message: str
    """「入力されたアカウントが登録されている場合は…送信しました。」: show as it comes."""


class RecoveryLinkIn(msgspec.Struct, frozen=True, kw_only=True):
    """The link's page, opened: which account is it for, does it still work?"""

    token: Token


class RecoveryLinkOut(msgspec.Struct, frozen=True, kw_only=True):
    """A link that works: its account and until when."""

    account: str
    role: Literal["admin", "user"]
    """Whose account: the sign-in page to go to afterwards (console or /share/)."""
    expires_at: datetime


class RecoveryPasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    """The new password, with a code of the account's authenticator (SPEC L2)."""

    token: Token
    code: Annotated[
        str,
        msgspec.Meta(max_length=16),
        documented(
            "The 6-digit code of the authenticator app.", pattern="^[0-9]{6}$", max_length=6
        ),
    ]
    new_password: Annotated[
        Secret,
        documented(
            f"The L1 policy: {PASSWORD_MIN}–{PASSWORD_MAX} characters, at least 3 of upper "
            "case, lower case, digits and symbols, not containing the account name, not the "
            "current password. Every rule it fails is named in the 400 answer's ``errors``.",
            min_length=PASSWORD_MIN,
            max_length=PASSWORD_MAX,
        ),
    ]


class RecoveredOut(msgspec.Struct, frozen=True, kw_only=True):
    """The password is set; every session of the account has ended. Sign in with it."""

    account: str


def recovery_routes(gw: Gateway, role: Literal["admin", "user"]) -> list[HTTPRouteHandler]:
    """The three steps of 「パスワードを忘れた場合」 on ``role``'s surface."""
    base = (
        "/api/v1/session/password-recovery"
        if role == "admin"
        else "/user-api/v1/session/password-recovery"
    )
    app = "メンテナンスツール" if role == "admin" else "ファイル共有"
    tags = ["session"] if role == "admin" else ["user-session"]

    def op(name: str) -> str:
        return name if role == "admin" else f"user{name[0].upper()}{name[1:]}"

    def route(path: str, operation_id: str, status: int, *codes: int) -> post:
        return post(
            f"{base}{path}",
            operation_id=op(operation_id),
            status_code=status,
            tags=tags,
            security=NO_SECURITY,
            request_max_body_size=BODY_LIMIT,
            responses=problems(*codes),
        )

    async def allowed(request: Request[Any, Any, Any], account: str | None) -> None:
        """JSON from this site only, as the sign-in steps (decision 0029: no page elsewhere
        makes its visitors' browsers ask for mail); then per source address and, for a
        request, per account typed (known or not)."""
        check_sign_in_request(request)
        ip = gw.ip(request) or "unknown"
        ok = await gw.throttle.allow(f"recovery-ip:{ip}", gw.own.recovery_per_address)
        if account is not None:
            key = f"recovery-acct:{account.strip().lower()}"
            ok = await gw.throttle.allow(key, gw.own.recovery_per_account) and ok
        if not ok:
            raise DomainError("too_many_attempts", message("too_many_attempts"), status=429)

    async def identity(request: Request[Any, Any, Any], path: str, body: Any) -> Any:
        return await gw.upstreams.call(
            "identity",
            "POST",
            f"{RECOVERY_PATH}/{path}",
            before_sign_in(gw.ip(request)),
            json=body,
        )

    @route("", "requestPasswordRecovery", 202, 400, 403, 413, 415, 429, 503)
    async def request_link(
        request: Request[Any, Any, Any], data: JSONBody[RecoveryRequestIn]
    ) -> Response[RecoveryRequestedOut]:
        """「パスワードを忘れた場合」: mail a one-time link (15 minutes) to the account's
        registered address. The answer is the same 202 for any account, existing or not;
        an account without an authenticator gets no link (it needs an admin's reset, or an
        operator's for an admin)."""
        await allowed(request, data.account)
        answer = await identity(request, "requests", {"account": data.account, "app": app})
        return relayed(answer)

    @route("/link", "openPasswordRecoveryLink", 200, 400, 403, 410, 413, 415, 423, 429, 503)
    async def open_link(
        request: Request[Any, Any, Any], data: JSONBody[RecoveryLinkIn]
    ) -> Response[RecoveryLinkOut]:
        """The link's page: its account while it works; 410 with the reason
        (``recovery_link_expired``, ``recovery_link_used``, ``recovery_link_replaced``,
        ``recovery_link_unknown``), 423 while the account is locked."""
        await allowed(request, None)
        return relayed(await identity(request, "link", {"token": data.token}))

    @route("/new-password", "recoverPassword", 200, 400, 401, 403, 410, 413, 415, 423, 429, 503)
    async def new_password(
        request: Request[Any, Any, Any], data: JSONBody[RecoveryPasswordIn]
    ) -> Response[RecoveredOut]:
        """Set the new password with the authenticator's code: 401 ``recovery_totp_invalid``
        for a wrong code (the link stays good; failures count toward the lock, L4), 400
        for the policy, 410 when the link no longer works. On success the link is used up
        and every session of the account ends."""
        await allowed(request, None)
        body = {"token": data.token, "code": data.code, "new_password": data.new_password}
        return relayed(await identity(request, "password", body))

    return [request_link, open_link, new_password]
