"""``/api/v1/session``: an admin's sign-in steps (SPEC L1–L4), the session, sign-out (L5);
``/user-api/v1/session``: the same for users (利用者).

Each step is relayed to identity with the gateway's pre-authentication token carrying the
browser's address; the last one returns a grant, and only then a session is opened: an
HttpOnly, SameSite=Strict cookie (Secure when configured), plus a CSRF token in the body.
Scripts may ask for the session token in the body instead (``"token": true``) and send it
as a bearer token.
"""

import asyncio
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody

from libs.runtime.paths import fill
from libs.runtime.problems import DomainError, FieldProblem
from services.gateway.adapters.upstreams import Acting, Answer
from services.gateway.api.auth import COOKIE
from services.gateway.api.common import (
    PROBLEM_MEDIA,
    SESSION_SECURITY,
    SIGN_IN_BODY_LIMIT,
    problems,
)
from services.gateway.api.dependencies import (
    SIGNED_IN,
    Sessions,
    Settings,
    SignedInCaller,
    UpstreamClients,
)
from services.gateway.api.front_door import FRONT_DOOR, Door
from services.gateway.api.guards import signed_in_admin, signed_in_user
from services.gateway.api.session_types import (
    APP,
    NO_SECURITY,
    SIGN_IN_PROBLEMS,
    STEP_MISMATCH,
    STEP_ROUTES,
    NewPasswordIn,
    PasswordIn,
    SecondPasswordIn,
    SignedInSession,
    SignInStepOut,
    StepMismatchProblem,
    TotpIn,
    UserPasswordIn,
)
from services.gateway.api.signin_guard import SIGNIN_COOKIE, check_bound
from services.gateway.api.surfaces import SurfaceController, per_surface
from services.gateway.domain.sessions import Grant, Session
from services.gateway.messages import message
from services.identity.contract import (
    FACILITY_PATH,
    OWN_ADMIN_PATH,
    SIGNIN_PATH,
    AdminProfile,
    FacilityProfile,
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


async def facility_name(upstreams: UpstreamClients, acting: Acting) -> str | None:
    """The facility's registered name, from identity (it may be renamed); None when
    identity cannot say just now: the session is good all the same."""
    try:
        answer = await upstreams.call(
            "identity", "GET", fill(FACILITY_PATH, code=acting.facility), acting
        )
    except DomainError:
        return None
    if answer.status_code != 200:
        return None
    return msgspec.json.decode(answer.content, type=FacilityProfile).name


async def admin_name(upstreams: UpstreamClients, acting: Acting) -> str | None:
    """An admin's 氏名 from identity (issue 15); None for a user, for an admin without
    one, or when identity cannot say just now (the name part is shown instead)."""
    if acting.role != "admin":
        return None
    try:
        answer = await upstreams.call("identity", "GET", OWN_ADMIN_PATH, acting)
    except DomainError:
        return None
    if answer.status_code != 200:
        return None
    return msgspec.json.decode(answer.content, type=AdminProfile).display_name


async def header_names(upstreams: UpstreamClients, acting: Acting) -> tuple[str | None, str | None]:
    """The facility's name and the admin's, asked of identity at once."""
    facility, admin = await asyncio.gather(
        facility_name(upstreams, acting), admin_name(upstreams, acting)
    )
    return facility, admin


def sign_in_step(path: str, operation_id: str) -> post:
    """A sign-in step's route: open to anyone, a small body, identity's problems."""
    return post(
        path,
        operation_id=per_surface(operation_id),
        status_code=200,
        security=NO_SECURITY,
        responses={**SIGN_IN_PROBLEMS, 409: STEP_MISMATCH},
        request_max_body_size=SIGN_IN_BODY_LIMIT,
    )


class SignInSteps(SurfaceController):
    """The sign-in steps of one surface; each subclass adds its first step."""

    dependencies = FRONT_DOOR

    def _next_path(self, next_step: str) -> str | None:
        route = STEP_ROUTES.get(next_step)
        return f"{self.path}/{route}" if route else None

    async def _admit(self, door: Door, settings: Settings, account: str | None) -> None:
        by_account = None
        if account is not None:
            # Per account *from this address*: counted from everywhere, anyone could keep
            # the owner out by typing its account 20 times (decision 0031). Guessing spread
            # over many addresses meets identity's ceiling of failures instead.
            key = f"acct:{account.strip().lower()} @{door.client_ip or 'unknown'}"
            by_account = (key, settings.signin_per_account)
        await door.admit(("ip", settings.signin_per_address), by_account)

    def _refused(self, upstream: Answer) -> Response[Any]:
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
                    next_path=self._next_path(next_step) or "",
                )
            )
        return Response(payload, status_code=upstream.status_code, media_type=PROBLEM_MEDIA)

    async def _step(
        self,
        door: Door,
        sessions: Sessions,
        settings: Settings,
        path: str,
        body: dict[str, Any],
        want_token: bool,
    ) -> Response[Any]:
        """Relay a step to identity; once it grants, open the session (cookie or token)."""
        upstream = await door.identity(f"{SIGNIN_PATH}/{path}", body)
        if upstream.status_code != 200:
            return self._refused(upstream)
        payload = upstream.json()
        grant = payload.get("grant")
        cookie = {"httponly": True, "samesite": "strict", "secure": settings.cookie_secure}
        if not grant:
            out = msgspec.convert(payload, SignInStepOut)
            next_path = self._next_path(out.next_step)
            going_on = Response(msgspec.structs.replace(out, next_path=next_path))
            if out.handle:
                # The sign-in's handle, for later steps to prove this browser began it.
                bound = Cookie(key=SIGNIN_COOKIE, value=out.handle, path=self.path, **cookie)  # type: ignore[arg-type]
                going_on.set_cookie(bound)
            return going_on
        granted = self._granted(grant)
        acting = Acting(
            sub=granted.account, role=self.role, facility=granted.facility, ip=door.client_ip
        )
        name, admin = await header_names(door.upstreams, acting)
        token, session = await sessions.open(
            granted, ip=door.client_ip, user_agent=door.request.headers.get("user-agent")
        )
        out = SignInStepOut(
            next_step="done",
            session=_session_out(session, name, token if want_token else None, admin),
        )
        response: Response[Any] = Response(out)
        response.delete_cookie(SIGNIN_COOKIE, path=self.path)
        if not want_token:
            response.set_cookie(Cookie(key=COOKIE, value=token, path="/", **cookie))  # type: ignore[arg-type]
        return response

    def _granted(self, grant: dict[str, Any]) -> Grant:
        """identity's grant, if it is for this surface's role (403 ``wrong_app``)."""
        if grant["role"] != self.role:
            wrong = "wrong_app" if self.role == "admin" else "wrong_app_user"
            raise DomainError("wrong_app", message(wrong), status=403)
        names = ("account_id", "account", "role", "facility", "facility_id", "app")
        return Grant(**{k: grant[k] for k in names})

    @sign_in_step("/new-password", "signInNewPassword")
    async def new_password(
        self,
        request: Request[Any, Any, Any],
        door: Door,
        sessions: Sessions,
        settings: Settings,
        data: JSONBody[NewPasswordIn],
    ) -> Response[SignInStepOut]:
        """「パスワードの更新」 (``next_step`` ``new_password``); a password failing the
        policy is refused with every rule it fails in ``errors``."""
        await self._admit(door, settings, None)
        check_bound(request, data.handle)
        body = {"handle": data.handle, "new_password": data.new_password}
        return await self._step(door, sessions, settings, "new-password", body, data.token)

    @sign_in_step("/totp", "signInTotp")
    async def totp(
        self,
        request: Request[Any, Any, Any],
        door: Door,
        sessions: Sessions,
        settings: Settings,
        data: JSONBody[TotpIn],
    ) -> Response[SignInStepOut]:
        """The authenticator's code (``next_step`` ``totp_enrol`` or ``totp``)."""
        await self._admit(door, settings, None)
        check_bound(request, data.handle)
        body = {"handle": data.handle, "code": data.code}
        return await self._step(door, sessions, settings, "totp", body, data.token)

    @sign_in_step("/second-password", "signInSecondPassword")
    async def second_password(
        self,
        request: Request[Any, Any, Any],
        door: Door,
        sessions: Sessions,
        settings: Settings,
        data: JSONBody[SecondPasswordIn],
    ) -> Response[SignInStepOut]:
        """「第二パスワードの入力」 (``next_step`` ``second_password``)."""
        await self._admit(door, settings, None)
        check_bound(request, data.handle)
        body = {"handle": data.handle, "second_password": data.second_password}
        return await self._step(door, sessions, settings, "second-password", body, data.token)


class AdminSignInController(SignInSteps):
    """An admin's sign-in steps (the console's 「メンテナンスツール」)."""

    path = "/api/v1/session"
    tags = ("session",)
    role = "admin"

    @sign_in_step("/password", "signInPassword")
    async def password(
        self,
        door: Door,
        sessions: Sessions,
        settings: Settings,
        data: JSONBody[PasswordIn],
    ) -> Response[SignInStepOut]:
        """Step 1: account and password. The answer names the step due next and where to
        post it (``next_path``), until ``next_step`` is ``done``."""
        await self._admit(door, settings, data.account)
        body = {"account": data.account, "password": data.password, "app": APP}
        return await self._step(door, sessions, settings, "password", body, data.token)


class UserSignInController(SignInSteps):
    """A user's sign-in steps (「リモートアクセス」 or 「ファイル共有」)."""

    path = "/user-api/v1/session"
    tags = ("user-session",)
    role = "user"

    @sign_in_step("/password", "signInPassword")
    async def user_password(
        self,
        door: Door,
        sessions: Sessions,
        settings: Settings,
        data: JSONBody[UserPasswordIn],
    ) -> Response[SignInStepOut]:
        """Step 1: account, password and the app (「リモートアクセス」 or 「ファイル共有」)."""
        await self._admit(door, settings, data.account)
        body = {"account": data.account, "password": data.password, "app": data.app}
        return await self._step(door, sessions, settings, "password", body, data.token)


class SessionController(SurfaceController):
    """The signed-in session of one surface and its sign-out."""

    dependencies = SIGNED_IN

    @get(
        "",
        operation_id=per_surface("getSession"),
        security=SESSION_SECURITY,
        responses=problems(401, 403, 503),
    )
    async def current(self, caller: SignedInCaller, upstreams: UpstreamClients) -> SignedInSession:
        """The signed-in session, its CSRF token and what the header shows."""
        name, admin = await header_names(upstreams, caller.acting)
        return _session_out(caller.session, name, display_name=admin)

    @delete(
        "",
        operation_id=per_surface("signOut"),
        status_code=204,
        security=SESSION_SECURITY,
        responses=problems(401, 403, 503),
    )
    async def sign_out(self, caller: SignedInCaller, sessions: Sessions) -> Response[None]:
        """Sign out: the session ends on the server; the cookie is cleared."""
        await sessions.revoke(caller.token)
        response: Response[None] = Response(None, status_code=204)
        response.delete_cookie(COOKIE, path="/")
        return response


class AdminSessionController(SessionController):
    """The signed-in admin's session."""

    path = "/api/v1/session"
    tags = ("session",)
    guards = (signed_in_admin,)
    role = "admin"


class UserSessionController(SessionController):
    """The signed-in user's session."""

    path = "/user-api/v1/session"
    tags = ("user-session",)
    guards = (signed_in_user,)
    role = "user"
