"""Sign-in routes of identity's internal API (SPEC L1–L4), called only by the gateway.

Nobody is signed in yet when these are called, so the gateway calls them with its own
pre-authentication token: role ``system``, facility ``*`` (any: the account decides the
facility), ``sub`` naming the gateway and ``ip`` the browser's source address, which goes
into every ``SignInAttempted`` as ``actor.ip``. Any other role is refused (403): an admin's
or user's token must never be able to drive someone else's sign-in.

Two credential checks serve a signed-in admin or user, called with that session's token
(role ``admin`` or ``user``, ``sub`` its account): changing its own password, and checking
its second password before a file-share action (F7).

The password step returns an opaque ``handle``; each later step sends it back in the body
(never in a URL, which proxies log). The last step returns a ``grant``: what the gateway
needs to open a session (account id, account, role, facility code). The gateway owns
sessions, cookies and CSRF.
"""

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody

from libs.events.catalogue.signin import SignInApp
from libs.runtime.internal_auth import Caller, Claims
from services.identity.api.guards import gateway_only, signed_in
from services.identity.api.provided import SignInSteps
from services.identity.app.signin import Progress, SignedIn
from services.identity.contract.paths import (
    OWN_PASSWORD_PATH,
    SECOND_PASSWORD_CHECK_PATH,
    SIGNIN_PATH,
)
from services.identity.contract.signin import (
    PasswordChange,
    PasswordChangedOut,
    SecondPasswordCheck,
    Secret,
)

Account = Annotated[
    str, msgspec.Meta(min_length=1, max_length=254, pattern=r"^[^\s\x00-\x1f\x7f]+$")
]
"""An account as typed: no account holds spaces or control characters, and refusing them
keeps the lockout's per-address key (``<account> @<ip>``, credentials.pair_key) from ever
being another account's own key — typed ``victim@dom @203.0.113.7`` would otherwise count
its failures against the victim from that address (decision 0031). NUL would also reach
PostgreSQL, which refuses it in text."""
# Longer than any password the policy allows (128), short enough that argon2 never
# hashes megabytes for an attacker.
Handle = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class PasswordStep(msgspec.Struct, frozen=True, kw_only=True):
    account: Account
    """The full account as typed, e.g. ``998-operation-admin01@nrasdev.onmicrosoft.com``."""
    password: Secret
    app: SignInApp


class NewPasswordStep(msgspec.Struct, frozen=True, kw_only=True):
    handle: Handle
    new_password: Secret


class TotpStep(msgspec.Struct, frozen=True, kw_only=True):
    handle: Handle
    code: Annotated[str, msgspec.Meta(max_length=16)]


class SecondPasswordStep(msgspec.Struct, frozen=True, kw_only=True):
    handle: Handle
    second_password: Secret


class EnrolmentOut(msgspec.Struct, frozen=True, kw_only=True):
    secret: str
    """Base32, for authenticator apps that take it typed instead of scanned."""
    otpauth_uri: str
    qr_svg: str


class GrantOut(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    account: str
    role: str
    """``admin`` or ``user``: the role of the session's internal tokens."""
    facility: str
    """Facility code: the facility claim of the session's internal tokens."""
    facility_id: str
    app: SignInApp


class SignInOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    next_step: str
    """``new_password`` | ``totp_enrol`` | ``totp`` | ``second_password`` | ``done``."""
    handle: str | None = None
    expires_at: datetime | None = None
    password_reason: str | None = None
    """Why a new password is needed: ``initial`` (first sign-in or reset) or ``expired``."""
    enrolment: EnrolmentOut | None = None
    grant: GrantOut | None = None


def _out(progress: Progress) -> SignInOut:
    """The step's answer as the gateway reads it."""
    enrolment = progress.enrolment
    grant = progress.grant
    return SignInOut(
        next_step=progress.next_step,
        handle=progress.handle,
        expires_at=progress.expires_at,
        password_reason=progress.password_reason,
        enrolment=EnrolmentOut(
            secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri, qr_svg=enrolment.qr_svg
        )
        if enrolment
        else None,
        grant=GrantOut(
            account_id=grant.account_id,
            account=grant.account,
            role=grant.role,
            facility=grant.facility,
            facility_id=grant.facility_id,
            app=grant.app,
        )
        if grant
        else None,
    )


class SignInController(Controller):
    """The four steps; each answers the next one, or a problem (401/409/410/423/400)."""

    path = SIGNIN_PATH
    guards = (gateway_only,)

    @post("/password", operation_id="signInPassword", status_code=200)
    async def password_step(
        self, data: JSONBody[PasswordStep], claims: Caller, signins: SignInSteps
    ) -> SignInOut:
        return _out(await signins.start(data.account, data.password, data.app, claims.ip))

    @post("/new-password", operation_id="signInNewPassword", status_code=200)
    async def new_password_step(
        self, data: JSONBody[NewPasswordStep], claims: Caller, signins: SignInSteps
    ) -> SignInOut:
        return _out(await signins.new_password(data.handle, data.new_password, claims.ip))

    @post("/totp", operation_id="signInTotp", status_code=200)
    async def totp_step(
        self, data: JSONBody[TotpStep], claims: Caller, signins: SignInSteps
    ) -> SignInOut:
        return _out(await signins.totp(data.handle, data.code, claims.ip))

    @post("/second-password", operation_id="signInSecondPassword", status_code=200)
    async def second_password_step(
        self, data: JSONBody[SecondPasswordStep], claims: Caller, signins: SignInSteps
    ) -> SignInOut:
        return _out(await signins.second_password(data.handle, data.second_password, claims.ip))


class OwnCredentialsController(Controller):
    """A signed-in admin's or user's own credentials, with that session's token."""

    path = "/"
    guards = (signed_in,)

    @post(OWN_PASSWORD_PATH, operation_id="changeOwnPassword", status_code=200)
    async def change_password(
        self, data: JSONBody[PasswordChange], claims: Caller, signins: SignInSteps
    ) -> PasswordChangedOut:
        token = await signins.change_password(
            _signed_in(claims), data.current_password, data.new_password, claims.ip
        )
        return PasswordChangedOut(consistency_token=token)

    @post(SECOND_PASSWORD_CHECK_PATH, operation_id="checkSecondPassword", status_code=204)
    async def check_second_password(
        self, data: JSONBody[SecondPasswordCheck], claims: Caller, signins: SignInSteps
    ) -> None:
        await signins.check_second_password(_signed_in(claims), data.second_password, claims.ip)


def _signed_in(claims: Claims) -> SignedIn:
    return SignedIn(account=claims.sub, role=claims.role, facility=claims.facility)
