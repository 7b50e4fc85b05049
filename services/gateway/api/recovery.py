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
from typing import Annotated, ClassVar, Literal

import msgspec
from litestar import Response, post
from litestar.params import JSONBody

from libs.runtime.documented import documented
from services.gateway.api.common import problems
from services.gateway.api.dependencies import Settings
from services.gateway.api.front_door import FRONT_DOOR, Door
from services.gateway.api.relay import relayed
from services.gateway.api.session_types import NO_SECURITY, Secret, TypedAccount
from services.gateway.api.surfaces import SurfaceController, per_surface
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


def step(path: str, operation_id: str, status: int, *codes: int) -> post:
    """A step's route: open to anyone, a small body, the problems it may answer."""
    return post(
        path,
        operation_id=per_surface(operation_id),
        status_code=status,
        security=NO_SECURITY,
        request_max_body_size=BODY_LIMIT,
        responses=problems(*codes),
    )


class RecoveryController(SurfaceController):
    """The three steps of 「パスワードを忘れた場合」 on one surface."""

    app: ClassVar[str]
    """The app the request names to identity (its mail says where to sign in again)."""
    dependencies = FRONT_DOOR

    async def _admit(self, door: Door, settings: Settings, account: str | None) -> None:
        """JSON from this site only, as the sign-in steps (decision 0029: no page elsewhere
        makes its visitors' browsers ask for mail); then per source address and, for a
        request, per account typed (known or not)."""
        by_account = None
        if account is not None:
            key = f"recovery-acct:{account.strip().lower()}"
            by_account = (key, settings.recovery_per_account)
        await door.admit(("recovery-ip", settings.recovery_per_address), by_account)

    @step("", "requestPasswordRecovery", 202, 400, 403, 413, 415, 429, 503)
    async def request_link(
        self, door: Door, settings: Settings, data: JSONBody[RecoveryRequestIn]
    ) -> Response[RecoveryRequestedOut]:
        """「パスワードを忘れた場合」: mail a one-time link (15 minutes) to the account's
        registered address. The answer is the same 202 for any account, existing or not;
        an account without an authenticator gets no link (it needs an admin's reset, or an
        operator's for an admin)."""
        await self._admit(door, settings, data.account)
        body = {"account": data.account, "app": self.app}
        return relayed(await door.identity(f"{RECOVERY_PATH}/requests", body))

    @step("/link", "openPasswordRecoveryLink", 200, 400, 403, 410, 413, 415, 423, 429, 503)
    async def open_link(
        self, door: Door, settings: Settings, data: JSONBody[RecoveryLinkIn]
    ) -> Response[RecoveryLinkOut]:
        """The link's page: its account while it works; 410 with the reason
        (``recovery_link_expired``, ``recovery_link_used``, ``recovery_link_replaced``,
        ``recovery_link_unknown``), 423 while the account is locked."""
        await self._admit(door, settings, None)
        return relayed(await door.identity(f"{RECOVERY_PATH}/link", {"token": data.token}))

    @step("/new-password", "recoverPassword", 200, 400, 401, 403, 410, 413, 415, 423, 429, 503)
    async def new_password(
        self, door: Door, settings: Settings, data: JSONBody[RecoveryPasswordIn]
    ) -> Response[RecoveredOut]:
        """Set the new password with the authenticator's code: 401 ``recovery_totp_invalid``
        for a wrong code (the link stays good; failures count toward the lock, L4), 400
        for the policy, 410 when the link no longer works. On success the link is used up
        and every session of the account ends."""
        await self._admit(door, settings, None)
        body = {"token": data.token, "code": data.code, "new_password": data.new_password}
        return relayed(await door.identity(f"{RECOVERY_PATH}/password", body))


class AdminRecoveryController(RecoveryController):
    """「パスワードを忘れた場合」 of the console's sign-in."""

    path = "/api/v1/session/password-recovery"
    tags = ("session",)
    role = "admin"
    app = "メンテナンスツール"


class UserRecoveryController(RecoveryController):
    """「パスワードを忘れた場合」 of /share/'s sign-in."""

    path = "/user-api/v1/session/password-recovery"
    tags = ("user-session",)
    role = "user"
    app = "ファイル共有"
