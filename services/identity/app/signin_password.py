"""The password steps of a sign-in (SPEC L1): the first, which opens the sign-in
transaction, and the forced change of a first sign-in, a reset or an expiry.

Accounts that do not exist answer exactly like a wrong password, cost the same argon2
verification, and lock the same way after 5 failures: nothing tells them apart.
"""

import secrets
from datetime import datetime
from typing import Literal

from libs.events.catalogue import AnyEvent
from libs.events.catalogue.credentials import AdminPasswordChanged, UserPasswordChanged
from libs.events.catalogue.signin import SignInApp, SignInReason
from libs.events.ids import new_id
from services.identity.app.credential_ports import Account, SignIn, SignInUnitOfWork
from services.identity.app.lockout import count_failure, record_failure
from services.identity.app.signin_flow import (
    Progress,
    SignInContext,
    attempt,
    enrolled,
    handle_hash,
    offer,
    resume,
    resumed_attempt,
    resumed_event,
    within_validity,
)
from services.identity.domain.password_policy import (
    password_expired,
    policy_problems,
    policy_refusal,
)
from services.identity.domain.signin import (
    app_allows,
    step_after_new_password,
    step_after_password,
)


def _password_verdict(
    account: Account | None, matched: bool, app: SignInApp, now: datetime
) -> SignInReason:
    """How the password step ends, once the password was checked (or the decoy was)."""
    if account is None:
        return "unknown_account"
    if not matched:
        return "wrong_password"
    if not app_allows(app, account.kind):
        return "app_not_allowed"
    if account.disabled:
        return "account_disabled"
    if not within_validity(account, now):
        return "account_not_valid"
    return "step_passed"


async def start(
    ctx: SignInContext, typed: str, password: str, app: SignInApp, ip: str | None
) -> Progress:
    """Step 1: account and password. Opens the sign-in transaction."""
    typed = typed.strip()
    key = typed.lower()
    async with ctx.uow() as uow:
        await uow.lock(key)
        now = ctx.clock()
        account = await uow.find_account(key)
        failures = await uow.failures(key, ip)
        ref = new_id()
        reason: SignInReason = "locked"
        if not failures.locked(now):
            matched = await ctx.checks.check(
                account.password_hash if account else None, password, even_time=True
            )
            reason = _password_verdict(account, matched, app, now)
        # An unknown account that names a facility goes to that facility's log: its
        # admins see guessing at their accounts (the name says nothing they lack).
        named = None if account else await uow.facility_named_by(key)
        logged = attempt(typed, account, app, "password", reason, ref, ip, now, named)
        if reason != "step_passed" or account is None:
            counted = count_failure(ctx.policy, account, failures, reason, now, ip)
            await uow.append([logged, *counted.told])
            await record_failure(uow, key, account, counted, ip)
            await uow.purge(now)
            await uow.commit()
            raise counted.error
        handle = secrets.token_urlsafe(32)
        progress, signin = await _opened(ctx, uow, account, app, handle, ref, now)
        await uow.append([logged])
        await uow.open_signin(signin)
        await uow.purge(now)
        await uow.commit()
    return progress


async def _opened(
    ctx: SignInContext,
    uow: SignInUnitOfWork,
    account: Account,
    app: SignInApp,
    handle: str,
    ref: str,
    now: datetime,
) -> tuple[Progress, SignIn]:
    """The sign-in transaction a passed password step opens, and what its answer says."""
    versions = await uow.versions(account.account_id)
    expired = password_expired(account.password_changed_at, account.password_max_age_days, now)
    next_step = step_after_password(
        account.kind,
        must_change=account.must_change_password,
        expired=expired,
        enrolled=await enrolled(uow, account, versions),
    )
    enrolment, pending = offer(ctx, account, next_step)
    signin = SignIn(
        handle_hash=handle_hash(handle),
        signin_ref=ref,
        account_id=account.account_id,
        account_kind=account.kind,
        app=app,
        next_step=next_step,
        base_version=versions.current,
        password_reason=(
            "initial" if account.must_change_password else "expired" if expired else None
        ),
        pending_totp_sealed=pending,
        created_at=now,
        expires_at=now + ctx.policy.step_ttl,
    )
    progress = Progress(
        next_step=next_step,
        handle=handle,
        expires_at=signin.expires_at,
        password_reason=signin.password_reason,
        enrolment=enrolment,
    )
    return progress, signin


async def new_password(ctx: SignInContext, handle: str, password: str, ip: str | None) -> Progress:
    """The forced change of L1 (one try; the caller retries a lost race)."""
    async with ctx.uow() as uow:
        r = await resume(ctx, uow, handle, ("new_password",), "new_password", ip)
        account = r.account
        same = await ctx.checks.check(account.password_hash, password)
        problems = policy_problems(password, account.name, same_as_current=same)
        if problems:
            await uow.append([resumed_attempt(r, "new_password", "password_rejected", ip)])
            await uow.commit()
            raise policy_refusal(problems)
        new_hash = await ctx.checks.hash_password(password)
        why: Literal["initial", "expired"] = (
            "expired" if r.signin.password_reason == "expired" else "initial"
        )
        changed: AnyEvent = (
            AdminPasswordChanged(account=account.account, reason=why)
            if account.kind == "admin"
            else UserPasswordChanged(account=account.account, reason=why)
        )
        next_step = step_after_new_password(
            account.kind, enrolled=await enrolled(uow, account, r.versions)
        )
        enrolment, pending = offer(ctx, account, next_step)
        await uow.append(
            [
                resumed_attempt(r, "new_password", "step_passed", ip),
                resumed_event(changed, r, ip),
            ]
        )
        await uow.set_password(account, new_hash, must_change=False, changed_at=r.now)
        expires_at = r.now + ctx.policy.step_ttl
        await uow.advance(r.signin.handle_hash, next_step, expires_at, pending)
        await uow.commit()
    return Progress(next_step=next_step, handle=handle, expires_at=expires_at, enrolment=enrolment)
