"""Sign-in, one step per request (SPEC L1–L4): the engine behind the gateway's screens.

The password step opens a sign-in transaction and hands back an opaque handle; every
later step presents it and must be the step the transaction expects. The steps live by
kind: ``signin_password`` (the password and the forced change), ``signin_factors`` (the
authenticator and the second password), ``signed_in_checks`` (a signed-in caller's own
credentials), ``lockout`` (L4's counting) and ``signin_flow`` (what they share).
"""

from collections.abc import Callable

from libs.events.catalogue.signin import SignInApp
from libs.events.clock import Clock, system_clock
from libs.events.retry import retrying
from services.identity.app import signed_in_checks, signin_factors, signin_password
from services.identity.app.credential_ports import Authenticators, SignInUnitOfWork
from services.identity.app.lockout import SignInPolicy
from services.identity.app.secret_checks import SecretChecks
from services.identity.app.signed_in_checks import SignedIn
from services.identity.app.signin_flow import Enrolment, Grant, Progress, SignInContext

__all__ = ["Enrolment", "Grant", "Progress", "SignInPolicy", "SignIns", "SignedIn"]


class SignIns:
    """The sign-in steps of admins and users, each in a unit of work of its own."""

    def __init__(
        self,
        uow: Callable[[], SignInUnitOfWork],
        box: Authenticators,
        checks: SecretChecks,
        policy: SignInPolicy,
        clock: Clock = system_clock,
    ) -> None:
        self._ctx = SignInContext(uow=uow, box=box, checks=checks, policy=policy, clock=clock)

    async def start(self, typed: str, password: str, app: SignInApp, ip: str | None) -> Progress:
        """Step 1: account and password. Opens the sign-in transaction."""
        return await signin_password.start(self._ctx, typed, password, app, ip)

    async def new_password(self, handle: str, password: str, ip: str | None) -> Progress:
        """The forced change of L1: first sign-in, after a reset, or on expiry."""
        return await retrying(lambda: signin_password.new_password(self._ctx, handle, password, ip))

    async def totp(self, handle: str, code: str, ip: str | None) -> Progress:
        """An authenticator code: confirms an enrolment or proves the bound one (L2)."""
        return await retrying(lambda: signin_factors.totp_step(self._ctx, handle, code, ip))

    async def second_password(self, handle: str, password: str, ip: str | None) -> Progress:
        """The admin's second password, the last step (L3)."""
        return await signin_factors.second_password_step(self._ctx, handle, password, ip)

    async def change_password(self, who: SignedIn, current: str, new: str, ip: str | None) -> str:
        """A signed-in admin or user replaces its password (L1 policy); the consistency token.

        A wrong current password counts toward the lock like any factor's failure (L4): a
        stolen session must not become a password-guessing oracle.
        """
        return await retrying(
            lambda: signed_in_checks.change_password(self._ctx, who, current, new, ip)
        )

    async def check_second_password(
        self, who: SignedIn, candidate: str, ip: str | None = None
    ) -> None:
        """Return when ``candidate`` is the second password of the signed-in admin or user
        (F7: a user's file-share actions need it); raise 401, or 423 once locked (L4)."""
        await signed_in_checks.check_second_password(self._ctx, who, candidate, ip)
