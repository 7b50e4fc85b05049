"""``/api/v1/session``: an admin's sign-in steps (SPEC L1–L4), the session, sign-out (L5).

Each step is relayed to identity with the gateway's pre-authentication token carrying the
browser's address; the last one returns a grant, and only then a session is opened: an
HttpOnly, SameSite=Strict cookie (Secure when configured), plus a CSRF token in the body.
Scripts may ask for the session token in the body instead (``"token": true``) and send it
as a bearer token.
"""

from datetime import datetime
from typing import Any, Literal

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from libs.runtime.problems import DomainError
from services.gateway.api.common import problems
from services.gateway.auth import COOKIE, Caller
from services.gateway.gateway_context import Gateway
from services.gateway.messages import message
from services.gateway.sessions import Grant, Session
from services.gateway.upstreams import before_sign_in

APP = "メンテナンスツール"
SIGN_IN_PROBLEMS = problems(400, 401, 403, 404, 409, 410, 423, 429, 503)
"""identity refuses a step with 400/401/409/410/423; the gateway adds 403 and 429."""


class PasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    password: str
    token: bool = False
    """Return the session token in the body (scripts) instead of a cookie (browsers)."""


class UserPasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    password: str
    app: Literal["リモートアクセス", "ファイル共有"]
    """Which of the user's apps is signing in (it goes to the login log, L4)."""
    token: bool = False


class HandleIn(msgspec.Struct, frozen=True, kw_only=True):
    handle: str
    new_password: str | None = None
    code: str | None = None
    second_password: str | None = None
    token: bool = False


class SessionOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    account: str
    facility: str
    csrf_token: str
    expires_at: datetime
    session_token: str | None = None


class EnrolmentOut(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticator to register at the ``totp_enrol`` step (L3)."""

    secret: str
    """Base32, for authenticator apps that take it typed instead of scanned."""
    otpauth_uri: str
    qr_svg: str


class SignInStepOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where a sign-in stands after a step: the next step and its handle, or, once
    ``next_step`` is ``done``, the session."""

    next_step: Literal["new_password", "totp_enrol", "totp", "second_password", "done"]
    handle: str | None = None
    expires_at: datetime | None = None
    password_reason: Literal["initial", "expired"] | None = None
    """Why a new password is needed: first sign-in or reset, or the password expired."""
    enrolment: EnrolmentOut | None = None
    session: SessionOut | None = None


def _session_out(session: Session, token: str | None = None) -> SessionOut:
    return SessionOut(
        account=session.grant.account,
        facility=session.grant.facility,
        csrf_token=session.csrf_token,
        expires_at=session.expires_at,
        session_token=token,
    )


def session_routes(gw: Gateway) -> list[HTTPRouteHandler]:
    """The admin's sign-in steps, the current session and sign-out (``/api/v1/session``)."""
    return sign_in_routes(gw, "admin")


def sign_in_routes(gw: Gateway, role: Literal["admin", "user"]) -> list[HTTPRouteHandler]:
    """The sign-in steps, the current session and sign-out of ``role``'s surface."""
    base = "/api/v1/session" if role == "admin" else "/user-api/v1/session"
    ops = "" if role == "admin" else "user"
    tags = ["session"] if role == "admin" else ["user-session"]

    def op(name: str) -> str:
        return f"{ops}{name[0].upper()}{name[1:]}" if ops else name

    async def signed_in(request: Request[Any, Any, Any]) -> Caller:
        return await (gw.admin(request) if role == "admin" else gw.user(request))

    cookie_args = {
        "httponly": True,
        "samesite": "strict",
        "secure": gw.own.cookie_secure,
        "path": "/",
    }

    async def throttled(request: Request[Any, Any, Any], account: str | None) -> None:
        ip = gw.ip(request) or "unknown"
        ok = await gw.throttle.allow(f"ip:{ip}", gw.own.signin_per_address)
        if account is not None:
            ok = (
                await gw.throttle.allow(f"acct:{account.lower()}", gw.own.signin_per_account) and ok
            )
        if not ok:
            raise DomainError("too_many_attempts", message("too_many_attempts"), status=429)

    async def step(
        request: Request[Any, Any, Any], path: str, body: dict[str, Any], want_token: bool
    ) -> Response[Any]:
        upstream = await gw.upstreams.call(
            "identity",
            "POST",
            f"/internal/v1/signin/{path}",
            before_sign_in(gw.ip(request)),
            json=body,
        )
        payload = upstream.json() if upstream.content else {}
        if upstream.status_code != 200:
            return Response(
                payload, status_code=upstream.status_code, media_type="application/problem+json"
            )
        grant = payload.get("grant")
        if not grant:
            return Response(msgspec.convert(payload, SignInStepOut))
        if grant["role"] != role:
            wrong = "wrong_app" if role == "admin" else "wrong_app_user"
            raise DomainError("wrong_app", message(wrong), status=403)
        token, session = await gw.sessions.open(
            Grant(
                **{
                    k: grant[k]
                    for k in ("account_id", "account", "role", "facility", "facility_id", "app")
                }
            ),
            ip=gw.ip(request),
            user_agent=request.headers.get("user-agent"),
        )
        out = SignInStepOut(
            next_step="done", session=_session_out(session, token if want_token else None)
        )
        response: Response[Any] = Response(out)
        if not want_token:
            response.set_cookie(Cookie(key=COOKIE, value=token, **cookie_args))  # type: ignore[arg-type]
        return response

    @post(
        f"{base}/password",
        operation_id=op("signInPassword"),
        status_code=200,
        tags=tags,
        responses=SIGN_IN_PROBLEMS,
    )
    async def password(
        request: Request[Any, Any, Any], data: JSONBody[PasswordIn]
    ) -> Response[SignInStepOut]:
        """Step 1: account and password."""
        await throttled(request, data.account)
        body = {"account": data.account, "password": data.password, "app": APP}
        return await step(request, "password", body, data.token)

    @post(
        f"{base}/password",
        operation_id=op("signInPassword"),
        status_code=200,
        tags=tags,
        responses=SIGN_IN_PROBLEMS,
    )
    async def user_password(
        request: Request[Any, Any, Any], data: JSONBody[UserPasswordIn]
    ) -> Response[SignInStepOut]:
        """Step 1: account, password and the app (「リモートアクセス」 or 「ファイル共有」)."""
        await throttled(request, data.account)
        body = {"account": data.account, "password": data.password, "app": data.app}
        return await step(request, "password", body, data.token)

    @post(
        f"{base}/{{step_name:str}}",
        operation_id=op("signInStep"),
        status_code=200,
        tags=tags,
        responses=SIGN_IN_PROBLEMS,
    )
    async def next_step(
        request: Request[Any, Any, Any], step_name: FromPath[str], data: JSONBody[HandleIn]
    ) -> Response[SignInStepOut]:
        """Later steps: ``new-password``, ``totp``, ``second-password``."""
        await throttled(request, None)
        fields = {
            "new-password": "new_password",
            "totp": "code",
            "second-password": "second_password",
        }
        field = fields.get(step_name)
        value = getattr(data, field) if field else None
        if field is None or value is None:
            raise DomainError("invalid_request", "入力内容に誤りがあります。", status=400)
        return await step(request, step_name, {"handle": data.handle, field: value}, data.token)

    @get(base, operation_id=op("getSession"), tags=tags, responses=problems(401, 403, 503))
    async def current(request: Request[Any, Any, Any]) -> SessionOut:
        """The signed-in session and its CSRF token."""
        caller = await signed_in(request)
        return _session_out(caller.session)

    @delete(
        base,
        operation_id=op("signOut"),
        status_code=204,
        tags=tags,
        responses=problems(401, 403, 503),
    )
    async def sign_out(request: Request[Any, Any, Any]) -> Response[None]:
        """Sign out: the session ends on the server; the cookie is cleared."""
        caller = await signed_in(request)
        await gw.sessions.revoke(caller.token)
        response: Response[None] = Response(None, status_code=204)
        response.delete_cookie(COOKIE, path="/")
        return response

    first = password if role == "admin" else user_password
    return [first, next_step, current, sign_out]
