"""``/api/v1/session``: an admin's sign-in steps (SPEC L1–L4), the session, sign-out (L5).

Each step is relayed to identity with the gateway's pre-authentication token carrying the
browser's address; the last one returns a grant, and only then a session is opened: an
HttpOnly, SameSite=Strict cookie (Secure when configured), plus a CSRF token in the body.
Scripts may ask for the session token in the body instead (``"token": true``) and send it
as a bearer token.
"""

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from libs.runtime.documented import documented
from libs.runtime.paths import fill
from libs.runtime.problems import DomainError, FieldProblem, Problem
from services.gateway.api.common import (
    PROBLEM_MEDIA,
    SESSION_SECURITY,
    SIGN_IN_BODY_LIMIT,
    problems,
)
from services.gateway.auth import COOKIE, Caller
from services.gateway.gateway_context import Gateway
from services.gateway.messages import message
from services.gateway.session_records import Grant, Session
from services.gateway.signin_guard import SIGNIN_COOKIE, check_bound, check_sign_in_request
from services.gateway.upstreams import Acting, Answer, before_sign_in
from services.identity.contract import (
    FACILITY_PATH,
    OWN_ADMIN_PATH,
    PASSWORD_MAX,
    PASSWORD_MIN,
    SIGNIN_PATH,
    AdminProfile,
    FacilityProfile,
)

APP = "メンテナンスツール"
SIGN_IN_PROBLEMS = problems(400, 401, 403, 404, 409, 410, 413, 415, 423, 429, 503)
"""identity refuses a step with 400/401/409/410/423; the gateway adds 403 (another role, a
cross-site request, a handle this browser did not start), 413, 415 (not JSON) and 429."""
NO_SECURITY: list[dict[str, list[str]]] = []
"""Sign-in steps: nobody is signed in yet."""

NextStep = Literal["new_password", "totp_enrol", "totp", "second_password", "done"]
STEP_ROUTES: dict[str, str] = {
    "new_password": "new-password",
    "totp_enrol": "totp",
    "totp": "totp",
    "second_password": "second-password",
}
"""Each step still to take → the last segment of the path to post it to."""

Handle = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=128, description="The ``handle`` of the previous step's answer."
    ),
]
Secret = Annotated[str, msgspec.Meta(max_length=1024)]
WantToken = Annotated[
    bool,
    msgspec.Meta(
        description="Answer the session token in the body (scripts, then sent as a bearer "
        "token) instead of setting the cookie (browsers). Only the last step uses it."
    ),
]


TypedAccount = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=254,
        description="The full account as typed, e.g. "
        "``998-operation-admin01@nrasdev.onmicrosoft.com`` (any case).",
    ),
]
"""An account as a person types it: sign-in's first step and 「パスワードを忘れた場合」."""


class PasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    """Step 1 of an admin's sign-in (L1)."""

    account: TypedAccount
    password: Annotated[Secret, documented("The password.", max_length=PASSWORD_MAX)]
    token: WantToken = False


class UserPasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    """Step 1 of a user's sign-in, naming the app (it goes to the login log, L4)."""

    account: Annotated[str, msgspec.Meta(min_length=1, max_length=254)]
    password: Annotated[Secret, documented("The password.", max_length=PASSWORD_MAX)]
    app: Literal["リモートアクセス", "ファイル共有"]
    token: WantToken = False


class NewPasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    """「パスワードの更新」, due when ``next_step`` is ``new_password`` (L1)."""

    handle: Handle
    new_password: Annotated[
        Secret,
        documented(
            f"{PASSWORD_MIN}–{PASSWORD_MAX} characters, at least 3 of upper case, lower case, "
            "digits and symbols, not containing the account name, not the current password. "
            "Every rule it fails is named in the 400 answer's ``errors``.",
            min_length=PASSWORD_MIN,
            max_length=PASSWORD_MAX,
        ),
    ]
    token: WantToken = False


class TotpIn(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticator's code, due when ``next_step`` is ``totp_enrol`` (first code of a
    new authenticator) or ``totp`` (L2)."""

    handle: Handle
    code: Annotated[
        str,
        msgspec.Meta(max_length=16),
        documented("The 6-digit TOTP code.", pattern="^[0-9]{6}$", max_length=6),
    ]
    token: WantToken = False


class SecondPasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    """「第二パスワードの入力」, due when ``next_step`` is ``second_password`` (L3)."""

    handle: Handle
    second_password: Annotated[Secret, documented("The second password.", max_length=128)]
    token: WantToken = False


class SignedInSession(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The signed-in session and what the console's header shows."""

    account: str
    """The full account, e.g. ``998-operation-admin01@nrasdev.onmicrosoft.com``."""
    display_name: str
    """Who is signed in, for the header: an admin's own name (氏名, e.g. ``山田 花子``);
    the account's name part (e.g. ``operation-admin01``) for a user, for an admin created
    before admins had a name, or when identity could not be asked just then."""
    role: Literal["admin", "user"]
    facility: str
    """The facility code (e.g. ``998``): the ``{code}`` of every ``/api/v1/facilities`` path."""
    facility_name: str | None
    """The facility's registered name, e.g. ``998-Dev Hospital``; null only when identity
    could not be asked just then (ask ``GET …/session`` again later)."""
    csrf_token: str
    """Send as ``X-CSRF-Token`` on every state change made with the session cookie."""
    expires_at: datetime
    """When the session ends unless used: idle 30 min, at most 12 h after sign-in (L5)."""
    session_token: str | None = None
    """Only in the last step's answer, and only when it asked ``token: true``: send as
    ``Authorization: Bearer <session_token>``."""


class EnrolmentOut(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticator to register at the ``totp_enrol`` step (L2)."""

    secret: str
    """Base32, for authenticator apps that take it typed instead of scanned."""
    otpauth_uri: str
    """``otpauth://totp/…`` with issuer and account: what the QR code encodes."""
    qr_svg: str
    """The QR code of ``otpauth_uri`` as an SVG document."""


class SignInStepOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where a sign-in stands after a step: what to post next, or, once ``next_step`` is
    ``done``, the session."""

    next_step: NextStep
    """What is due: ``new_password`` 「パスワードの更新」, ``totp_enrol`` (register the
    authenticator of ``enrolment``, then its code), ``totp`` (the code),
    ``second_password`` 「第二パスワードの入力」, or ``done`` (signed in: see ``session``)."""
    next_path: str | None = None
    """The path to post the next step to (e.g. ``/api/v1/session/totp``) with ``handle``;
    absent once ``done``."""
    handle: str | None = None
    """Send back with the next step; absent once ``done``."""
    expires_at: datetime | None = None
    """The next step must come before this (the handle's lifetime)."""
    password_reason: Literal["initial", "expired"] | None = None
    """Why a new password is due: ``initial`` (first sign-in or reset) or ``expired``."""
    enrolment: EnrolmentOut | None = None
    """Only when ``next_step`` is ``totp_enrol``."""
    session: SignedInSession | None = None
    """Only when ``next_step`` is ``done``."""


class StepMismatchProblem(Problem, frozen=True, kw_only=True):
    """409 ``signin_step_mismatch``: this step is not the one due. The handle stays good:
    post ``next_step`` to ``next_path``."""

    next_step: NextStep
    next_path: str


STEP_MISMATCH = ResponseSpec(
    data_container=StepMismatchProblem,
    description="``signin_step_mismatch``: not the step due. The answer names the step due "
    "(``next_step``) and where to post it (``next_path``); the handle stays good.",
    media_type=PROBLEM_MEDIA,
    generate_examples=False,
)


def display_name_of(grant: Grant) -> str:
    """The account's name part: ``998-operation-admin01@…`` → ``operation-admin01``."""
    local = grant.account.partition("@")[0]
    prefix = f"{grant.facility}-"
    return local[len(prefix) :] if local.startswith(prefix) else local


def _session_out(
    session: Session,
    facility_name: str | None,
    token: str | None = None,
    display_name: str | None = None,
) -> SignedInSession:
    grant = session.grant
    return SignedInSession(
        account=grant.account,
        display_name=display_name or display_name_of(grant),
        role="admin" if grant.role == "admin" else "user",
        facility=grant.facility,
        facility_name=facility_name,
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

    def path_of(next_step: str) -> str | None:
        route = STEP_ROUTES.get(next_step)
        return f"{base}/{route}" if route else None

    async def signed_in(request: Request[Any, Any, Any]) -> Caller:
        return await (gw.admin(request) if role == "admin" else gw.user(request))

    async def facility_name(acting: Acting) -> str | None:
        """The facility's registered name, from identity (it may be renamed); None when
        identity cannot say just now: the session is good all the same."""
        try:
            answer = await gw.upstreams.call(
                "identity", "GET", fill(FACILITY_PATH, code=acting.facility), acting
            )
        except DomainError:
            return None
        if answer.status_code != 200:
            return None
        return msgspec.json.decode(answer.content, type=FacilityProfile).name

    async def admin_name(acting: Acting) -> str | None:
        """An admin's 氏名 from identity (issue 15); None for a user, for an admin without
        one, or when identity cannot say just now (the name part is shown instead)."""
        if acting.role != "admin":
            return None
        try:
            answer = await gw.upstreams.call("identity", "GET", OWN_ADMIN_PATH, acting)
        except DomainError:
            return None
        if answer.status_code != 200:
            return None
        return msgspec.json.decode(answer.content, type=AdminProfile).display_name

    async def header_names(acting: Acting) -> tuple[str | None, str | None]:
        """The facility's name and the admin's, asked of identity at once."""
        facility, admin = await asyncio.gather(facility_name(acting), admin_name(acting))
        return facility, admin

    cookie_args = {
        "httponly": True,
        "samesite": "strict",
        "secure": gw.own.cookie_secure,
        "path": "/",
    }

    # The sign-in's handle, for later steps to prove this browser began it (login CSRF).
    bound_args = {**cookie_args, "path": base}

    async def throttled(request: Request[Any, Any, Any], account: str | None) -> None:
        check_sign_in_request(request)
        ip = gw.ip(request) or "unknown"
        ok = await gw.throttle.allow(f"ip:{ip}", gw.own.signin_per_address)
        if account is not None:
            # Per account *from this address*: counted from everywhere, anyone could keep
            # the owner out by typing its account 20 times (decision 0031). Guessing spread
            # over many addresses meets identity's ceiling of failures instead.
            key = f"acct:{account.strip().lower()} @{ip}"
            ok = await gw.throttle.allow(key, gw.own.signin_per_account) and ok
        if not ok:
            raise DomainError("too_many_attempts", message("too_many_attempts"), status=429)

    def refused(upstream: Answer) -> Response[Any]:
        """identity's problem as it is; a step out of turn also says which one is due."""
        payload = upstream.json() if upstream.content else {}
        due = [e for e in payload.get("errors", ()) if e.get("field") == "next_step"]
        if payload.get("code") == "signin_step_mismatch" and due:
            next_step = due[0]["code"]
            payload = msgspec.to_builtins(
                StepMismatchProblem(
                    **{k: payload[k] for k in ("type", "title", "status", "code")},
                    errors=tuple(msgspec.convert(due, list[FieldProblem])),
                    next_step=next_step,
                    next_path=path_of(next_step) or "",
                )
            )
        return Response(payload, status_code=upstream.status_code, media_type=PROBLEM_MEDIA)

    async def step(
        request: Request[Any, Any, Any], path: str, body: dict[str, Any], want_token: bool
    ) -> Response[Any]:
        upstream = await gw.upstreams.call(
            "identity",
            "POST",
            f"{SIGNIN_PATH}/{path}",
            before_sign_in(gw.ip(request)),
            json=body,
        )
        if upstream.status_code != 200:
            return refused(upstream)
        payload = upstream.json()
        grant = payload.get("grant")
        if not grant:
            out = msgspec.convert(payload, SignInStepOut)
            going_on = Response(msgspec.structs.replace(out, next_path=path_of(out.next_step)))
            if out.handle:
                going_on.set_cookie(Cookie(key=SIGNIN_COOKIE, value=out.handle, **bound_args))  # type: ignore[arg-type]
            return going_on
        if grant["role"] != role:
            wrong = "wrong_app" if role == "admin" else "wrong_app_user"
            raise DomainError("wrong_app", message(wrong), status=403)
        granted = Grant(
            **{
                k: grant[k]
                for k in ("account_id", "account", "role", "facility", "facility_id", "app")
            }
        )
        name, admin = await header_names(
            Acting(sub=granted.account, role=role, facility=granted.facility, ip=gw.ip(request))
        )
        token, session = await gw.sessions.open(
            granted, ip=gw.ip(request), user_agent=request.headers.get("user-agent")
        )
        out = SignInStepOut(
            next_step="done",
            session=_session_out(session, name, token if want_token else None, admin),
        )
        response: Response[Any] = Response(out)
        response.delete_cookie(SIGNIN_COOKIE, path=base)
        if not want_token:
            response.set_cookie(Cookie(key=COOKIE, value=token, **cookie_args))  # type: ignore[arg-type]
        return response

    def sign_in_step(path: str, operation_id: str) -> post:
        return post(
            f"{base}/{path}",
            operation_id=op(operation_id),
            status_code=200,
            tags=tags,
            security=NO_SECURITY,
            responses={**SIGN_IN_PROBLEMS, 409: STEP_MISMATCH},
            request_max_body_size=SIGN_IN_BODY_LIMIT,
        )

    @sign_in_step("password", "signInPassword")
    async def password(
        request: Request[Any, Any, Any], data: JSONBody[PasswordIn]
    ) -> Response[SignInStepOut]:
        """Step 1: account and password. The answer names the step due next and where to
        post it (``next_path``), until ``next_step`` is ``done``."""
        await throttled(request, data.account)
        body = {"account": data.account, "password": data.password, "app": APP}
        return await step(request, "password", body, data.token)

    @sign_in_step("password", "signInPassword")
    async def user_password(
        request: Request[Any, Any, Any], data: JSONBody[UserPasswordIn]
    ) -> Response[SignInStepOut]:
        """Step 1: account, password and the app (「リモートアクセス」 or 「ファイル共有」)."""
        await throttled(request, data.account)
        body = {"account": data.account, "password": data.password, "app": data.app}
        return await step(request, "password", body, data.token)

    @sign_in_step("new-password", "signInNewPassword")
    async def new_password(
        request: Request[Any, Any, Any], data: JSONBody[NewPasswordIn]
    ) -> Response[SignInStepOut]:
        """「パスワードの更新」 (``next_step`` ``new_password``); a password failing the
        policy is refused with every rule it fails in ``errors``."""
        await throttled(request, None)
        check_bound(request, data.handle)
        body = {"handle": data.handle, "new_password": data.new_password}
        return await step(request, "new-password", body, data.token)

    @sign_in_step("totp", "signInTotp")
    async def totp(
        request: Request[Any, Any, Any], data: JSONBody[TotpIn]
    ) -> Response[SignInStepOut]:
        """The authenticator's code (``next_step`` ``totp_enrol`` or ``totp``)."""
        await throttled(request, None)
        check_bound(request, data.handle)
        return await step(request, "totp", {"handle": data.handle, "code": data.code}, data.token)

    @sign_in_step("second-password", "signInSecondPassword")
    async def second_password(
        request: Request[Any, Any, Any], data: JSONBody[SecondPasswordIn]
    ) -> Response[SignInStepOut]:
        """「第二パスワードの入力」 (``next_step`` ``second_password``)."""
        await throttled(request, None)
        check_bound(request, data.handle)
        body = {"handle": data.handle, "second_password": data.second_password}
        return await step(request, "second-password", body, data.token)

    @get(
        base,
        operation_id=op("getSession"),
        tags=tags,
        security=SESSION_SECURITY,
        responses=problems(401, 403, 503),
    )
    async def current(request: Request[Any, Any, Any]) -> SignedInSession:
        """The signed-in session, its CSRF token and what the header shows."""
        caller = await signed_in(request)
        name, admin = await header_names(caller.acting)
        return _session_out(caller.session, name, display_name=admin)

    @delete(
        base,
        operation_id=op("signOut"),
        status_code=204,
        tags=tags,
        security=SESSION_SECURITY,
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
    return [first, new_password, totp, second_password, current, sign_out]
