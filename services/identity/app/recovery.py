"""「パスワードを忘れた場合」 for admins and remote users (issue 15, decision 0020).

Three steps, each a row of ログインログ (``PasswordRecoveryAttempted``):

1. ``request``: the account as typed is queued — one insert, no lookup — and the answer is
   the same for any account. ``RecoveryMailer`` (``recovery_mailer``) resolves it later:
   it looks the account up and mails a one-time link only when the account could use it.
2. ``open``: the page of the link shows which account it is for, or why it no longer works.
3. ``complete``: the new password is set only with a valid code of the account's
   authenticator; the link is consumed in the same transaction, the account's sign-ins
   and other links end, and the gateway ends its sessions on ``*PasswordRecovered``.

Links and codes count as sign-in does (L4): a wrong code is a failure in a row of the
account, the fifth locks it, and a locked account recovers nothing until the lock ends.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from libs.events.catalogue import AnyEvent
from libs.events.catalogue.credentials import AdminPasswordRecovered, UserPasswordRecovered
from libs.events.catalogue.signin import RecoveryReason, RecoveryStep, SignInApp, SignInReason
from libs.events.clock import Clock, system_clock
from libs.events.envelope import Actor, Envelope, next_event
from libs.events.ids import new_id
from libs.events.retry import retrying
from services.identity.app.credential_ports import Account, Authenticators, Versions
from services.identity.app.lockout import SignInPolicy, count_failure, record_failure, refusal
from services.identity.app.recovery_log import attempt, token_hash
from services.identity.app.recovery_ports import Link, RecoveryUnitOfWork
from services.identity.app.secret_checks import SecretChecks
from services.identity.app.signin_flow import enrolled, within_validity
from services.identity.domain.password_policy import policy_problems, policy_refusal
from services.identity.domain.recovery import link_refusal
from services.identity.domain.signin import app_allows

_LINK_REFUSALS: dict[RecoveryReason, tuple[str, int]] = {
    "link_expired": ("recovery_link_expired", 410),
    "link_used": ("recovery_link_used", 410),
    "link_replaced": ("recovery_link_replaced", 410),
    "account_disabled": ("recovery_account_refused", 410),
    "account_not_valid": ("recovery_account_refused", 410),
    "app_not_allowed": ("recovery_account_refused", 410),
    "mfa_not_enrolled": ("recovery_account_refused", 410),
    "locked": ("account_locked", 423),
}


@dataclass(frozen=True)
class LinkView:
    """What the link's page shows before the code and the new password are typed."""

    account: str
    kind: str
    expires_at: datetime


@dataclass
class _Held:
    """A link and its account, under the account's sign-in lock, still good to use."""

    link: Link
    account: Account
    versions: Versions
    now: datetime


class Recoveries:
    """The request, the link's page and the new password, on identity's database."""

    def __init__(
        self,
        uow: Callable[[], RecoveryUnitOfWork],
        box: Authenticators,
        checks: SecretChecks,
        signin: SignInPolicy,
        wake: Callable[[], None],
        clock: Clock = system_clock,
    ) -> None:
        self._uow = uow
        self._box = box
        self._checks = checks
        self._signin = signin
        self._wake = wake
        self._clock = clock

    async def request(self, account: str, app: SignInApp, ip: str | None) -> None:
        """Queue a request for whatever ``account`` names; the caller says the same to all."""
        async with self._uow() as uow:
            await uow.queue_request(new_id(), account.strip(), app, ip, self._clock())
            await uow.commit()
        self._wake()

    async def open(self, token: str, ip: str | None) -> LinkView:
        """The account a link is for, while it works; logged either way."""
        async with self._uow() as uow:
            held = await self._hold(uow, token, "recovery_link", ip)
            link, account = held.link, held.account
            await uow.append([self._attempt(held, "recovery_link", "link_opened", ip)])
            await uow.commit()
        return LinkView(account=account.account, kind=account.kind, expires_at=link.expires_at)

    async def complete(self, token: str, code: str, new_password: str, ip: str | None) -> str:
        """Set the new password after a valid code of the account's authenticator; the
        account. The link is consumed only by a success."""
        return await retrying(lambda: self._complete(token, code, new_password, ip))

    async def _complete(self, token: str, code: str, new_password: str, ip: str | None) -> str:
        async with self._uow() as uow:
            held = await self._hold(uow, token, "recovery_password", ip)
            account = held.account
            # The rules anyone can read first, so a typo in the password costs no code.
            public = policy_problems(new_password, account.name, same_as_current=False)
            if public:
                await self._log_and_commit(uow, held, "password_rejected", ip)
                raise policy_refusal(public)
            step = await self._checked_code(uow, held, code, ip)
            if await self._checks.check(account.password_hash, new_password):
                # The code is spent all the same (L2: a code is accepted once).
                await uow.append(
                    [self._attempt(held, "recovery_password", "password_rejected", ip)]
                )
                await uow.accept_step(account.account_id, step)
                await uow.commit()
                raise policy_refusal(["password_reused"])
            new_hash = await self._checks.hash_password(new_password)
            await self._recover(uow, held, new_hash, ip)
            await uow.accept_step(account.account_id, step)
            await uow.commit()
        return account.account

    # -- parts -----------------------------------------------------------------------------

    async def _hold(
        self, uow: RecoveryUnitOfWork, token: str, step: RecoveryStep, ip: str | None
    ) -> _Held:
        """The link of ``token`` and its account, locked, if it still works; else log (when
        there is an account to log it for), commit and raise."""
        hashed = token_hash(token)
        seen = await uow.find_link(hashed)
        account = await uow.account_by_id(seen.account_id, seen.account_kind) if seen else None
        if seen is None or account is None:
            raise refusal("recovery_link_unknown", 410)
        await uow.lock(account.key)
        now = self._clock()
        link = await uow.find_link(hashed)  # again, under the lock
        if link is None:  # purged meanwhile: a day after it stopped working
            raise refusal("recovery_link_unknown", 410)
        # The account again too: a disable committed between the first read and the lock
        # would otherwise go unseen (only resets move the versions link_refusal compares).
        account = await uow.account_by_id(link.account_id, link.account_kind)
        if account is None:
            raise refusal("recovery_link_unknown", 410)
        versions = await uow.versions(account.account_id)
        held = _Held(link=link, account=account, versions=versions, now=now)
        reason: RecoveryReason | None = link_refusal(
            used_at=link.used_at,
            replaced_at=link.replaced_at,
            expires_at=link.expires_at,
            base_version=link.base_version,
            reset_version=versions.any_reset,
            now=now,
        )
        if reason is None:
            reason = await self._account_refusal(uow, held, ip)
        if reason is not None:
            await self._log_and_commit(uow, held, reason, ip, step)
            code, status = _LINK_REFUSALS[reason]
            raise refusal(code, status)
        return held

    async def _account_refusal(
        self, uow: RecoveryUnitOfWork, held: _Held, ip: str | None
    ) -> RecoveryReason | None:
        """Why the account may not recover now (it changed since the link was mailed, or it
        is locked from ``ip`` or from everywhere, L4)."""
        account, now = held.account, held.now
        if (await uow.failures(account.key, ip)).locked(now):
            return "locked"
        if not app_allows(held.link.app, account.kind):  # type: ignore[arg-type]
            return "app_not_allowed"
        if account.disabled:
            return "account_disabled"
        if not within_validity(account, now):
            return "account_not_valid"
        if not await enrolled(uow, account, held.versions):
            return "mfa_not_enrolled"
        return None

    async def _checked_code(
        self, uow: RecoveryUnitOfWork, held: _Held, code: str, ip: str | None
    ) -> int:
        """The time step of a valid, unused code; a wrong or replayed one is counted (L4),
        logged and refused — the link stays good until it expires."""
        account = held.account
        bound = await uow.totp(account.account_id)
        assert bound is not None  # enrolled() held under the lock
        step = self._box.matching_step(
            self._box.open(bound.secret_sealed, account.account_id), code, held.now
        )
        reason: RecoveryReason | None = None
        if step is None:
            reason = "wrong_totp"
        elif step <= bound.last_step:
            reason = "totp_replayed"
        if reason is None and step is not None:
            return step
        assert reason is not None
        await self._fail_code(uow, held, reason, ip)

    async def _fail_code(
        self, uow: RecoveryUnitOfWork, held: _Held, reason: RecoveryReason, ip: str | None
    ) -> NoReturn:
        account = held.account
        failures = await uow.failures(account.key, ip)
        as_signin: SignInReason = "wrong_totp" if reason == "wrong_totp" else "totp_replayed"
        counted = count_failure(self._signin, account, failures, as_signin, held.now, ip)
        await uow.append([self._attempt(held, "recovery_password", reason, ip), *counted.told])
        await record_failure(uow, account.key, account, counted, ip)
        error = counted.error
        if error.code == "account_locked":
            await uow.end_links(account.account_id, held.now)
            await uow.commit()
            raise error
        await uow.commit()
        raise refusal("recovery_totp_invalid", 401)

    async def _recover(
        self, uow: RecoveryUnitOfWork, held: _Held, new_hash: str, ip: str | None
    ) -> None:
        account, now = held.account, held.now
        recovered: AnyEvent = (
            AdminPasswordRecovered(account=account.account)
            if account.kind == "admin"
            else UserPasswordRecovered(account=account.account)
        )
        event = next_event(
            recovered,
            facility=account.facility_code,
            aggregate_id=account.account_id,
            version=held.versions.current,
            actor=Actor(id=account.account, role=account.kind, ip=ip),
            correlation_id=held.link.request_id,
            at=now,
        )
        await uow.append(
            [self._attempt(held, "recovery_password", "password_recovered", ip), event]
        )
        if not await uow.use_link(held.link.token_hash, now):
            raise AssertionError("a held link was consumed behind the account's lock")
        await uow.set_password(account, new_hash, must_change=False, changed_at=now)
        await uow.cancel_signins(account.account_id)
        await uow.end_links(account.account_id, now)
        await uow.clear_failures(account.key)

    def _attempt(
        self, held: _Held, step: RecoveryStep, reason: RecoveryReason, ip: str | None
    ) -> Envelope:
        return attempt(
            held.account.account,
            held.account,
            held.link.app,  # type: ignore[arg-type]
            step,
            reason,
            held.link.request_id,
            ip,
            held.now,
        )

    async def _log_and_commit(
        self,
        uow: RecoveryUnitOfWork,
        held: _Held,
        reason: RecoveryReason,
        ip: str | None,
        step: RecoveryStep = "recovery_password",
    ) -> None:
        await uow.append([self._attempt(held, step, reason, ip)])
        await uow.commit()
