"""Credential checks of an admin or user already signed in: its second password before
a file-share action (F7), and the change of its own password (L1). A wrong one counts
toward the lock like any factor's failure (L4): a stolen session must not become a
guessing oracle."""

from dataclasses import dataclass
from datetime import datetime

from libs.events.catalogue import AnyEvent
from libs.events.catalogue.credentials import AdminPasswordChanged, UserPasswordChanged
from libs.events.catalogue.signin import SignInReason
from libs.runtime.problems import DomainError, NotFound
from services.identity.app.credential_ports import Account, SignInUnitOfWork
from services.identity.app.lockout import count_failure, record_failure, refusal
from services.identity.app.signin_flow import SignInContext, account_event
from services.identity.domain.password_policy import policy_problems, policy_refusal
from services.identity.domain.signin import Lockout
from services.identity.messages import message


@dataclass(frozen=True)
class SignedIn:
    """Who a session belongs to, as the gateway's internal token names it."""

    account: str
    role: str
    facility: str


async def check_second_password(
    ctx: SignInContext, who: SignedIn, candidate: str, ip: str | None
) -> None:
    """Return when ``candidate`` is the caller's second password; raise 401, or 423."""
    async with ctx.uow() as uow:
        account = await _signed_in(uow, who)
        failures, now = await _checkable(ctx, uow, account, ip)
        if not await ctx.checks.check(account.second_password_hash, candidate):
            error = await _count_alone(
                ctx, uow, account, failures, "wrong_second_password", now, ip
            )
            await uow.commit()
            raise error


async def change_password(
    ctx: SignInContext, who: SignedIn, current: str, new: str, ip: str | None
) -> str:
    """Replace the caller's password (one try; the caller retries a lost race)."""
    async with ctx.uow() as uow:
        account = await _signed_in(uow, who)
        failures, now = await _checkable(ctx, uow, account, ip)
        if not await ctx.checks.check(account.password_hash, current):
            error = await _count_alone(ctx, uow, account, failures, "wrong_password", now, ip)
            await uow.commit()
            if error.code == "account_locked":
                raise error
            raise refusal("current_password_invalid", 401)
        problems = policy_problems(new, account.name, same_as_current=new == current)
        if problems:
            raise policy_refusal(problems)
        new_hash = await ctx.checks.hash_password(new)
        changed: AnyEvent = (
            AdminPasswordChanged(account=account.account, reason="voluntary")
            if account.kind == "admin"
            else UserPasswordChanged(account=account.account, reason="voluntary")
        )
        event = await account_event(uow, changed, account, ip, now)
        await uow.append([event])
        await uow.set_password(account, new_hash, must_change=False, changed_at=now)
        # Sign-ins begun with the old password must not finish with it.
        await uow.cancel_signins(account.account_id)
        await uow.commit()
    return event.event_id


async def _signed_in(uow: SignInUnitOfWork, who: SignedIn) -> Account:
    """The account of a session, as the gateway's token names it; 404 when gone."""
    account = await uow.find_account(who.account.strip().lower())
    if (
        account is None
        or account.disabled
        or (account.kind, account.facility_code) != (who.role, who.facility)
    ):
        raise NotFound("account_not_found", message("account_not_found"))
    return account


async def _checkable(
    ctx: SignInContext, uow: SignInUnitOfWork, account: Account, ip: str | None
) -> tuple[Lockout, datetime]:
    """Lock the account for a credential check; 423 while it is locked (from ``ip``)."""
    await uow.lock(account.key)
    now = ctx.clock()
    failures = await uow.failures(account.key, ip)
    if failures.locked(now):
        raise refusal("account_locked", 423)
    return failures, now


async def _count_alone(
    ctx: SignInContext,
    uow: SignInUnitOfWork,
    account: Account,
    failures: Lockout,
    reason: SignInReason,
    now: datetime,
    ip: str | None,
) -> DomainError:
    """Count a signed-in caller's failed check, which logs no attempt of its own: the
    lock it may start is the transaction's only event."""
    counted = count_failure(ctx.policy, account, failures, reason, now, ip)
    await uow.append(counted.told)
    await record_failure(uow, account.key, account, counted, ip)
    return counted.error
