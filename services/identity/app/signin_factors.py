"""The second-factor steps of a sign-in: an authenticator code, which confirms an
enrolment or proves the bound authenticator (L2), and the admin's second password (L3)."""

from libs.events.catalogue import AnyEvent
from libs.events.catalogue.credentials import AdminMfaEnrolled, UserMfaEnrolled
from libs.events.catalogue.signin import SignInReason
from services.identity.app.credential_ports import SignInUnitOfWork
from services.identity.app.signin_flow import (
    Progress,
    Resumed,
    SignInContext,
    fail,
    finish,
    resume,
    resumed_attempt,
    resumed_event,
)
from services.identity.domain.signin import step_after_totp


async def totp_step(ctx: SignInContext, handle: str, code: str, ip: str | None) -> Progress:
    """An authenticator code (one try; the caller retries a lost race)."""
    async with ctx.uow() as uow:
        r = await resume(ctx, uow, handle, ("totp", "totp_enrol"), "totp", ip)
        account = r.account
        enrolling = r.signin.next_step == "totp_enrol"
        if enrolling:
            sealed, last = r.signin.pending_totp_sealed, -1
        else:
            bound = await uow.totp(account.account_id)
            sealed, last = (bound.secret_sealed, bound.last_step) if bound else (None, -1)
        if sealed is None:  # unbound behind our back without a reset event: start over
            await fail(ctx, uow, r, "totp", "signin_expired", ip)
        step = ctx.box.matching_step(ctx.box.open(sealed, account.account_id), code, r.now)
        if step is None:
            await fail(ctx, uow, r, "totp", "wrong_totp", ip)
        if step <= last:
            await fail(ctx, uow, r, "totp", "totp_replayed", ip)
        next_step = step_after_totp(account.kind)
        reason: SignInReason = "signed_in" if next_step == "done" else "step_passed"
        events = [resumed_attempt(r, "totp", reason, ip)]
        if enrolling:
            enrolled: AnyEvent = (
                AdminMfaEnrolled(account=account.account)
                if account.kind == "admin"
                else UserMfaEnrolled(account=account.account)
            )
            events.append(resumed_event(enrolled, r, ip))
        await uow.append(events)
        await _keep_step(uow, r, sealed, step, enrolling)
        if next_step == "done":
            grant = await finish(uow, r)
            await uow.commit()
            return Progress(next_step="done", grant=grant)
        expires_at = r.now + ctx.policy.step_ttl
        await uow.advance(r.signin.handle_hash, next_step, expires_at, None)
        await uow.commit()
    return Progress(next_step=next_step, handle=handle, expires_at=expires_at)


async def _keep_step(
    uow: SignInUnitOfWork, r: Resumed, sealed: bytes, step: int, enrolling: bool
) -> None:
    """Bind the enrolled secret, or remember the accepted step (L2: a code works once)."""
    if enrolling:
        await uow.enrol_totp(
            r.account.account_id, sealed, version=r.versions.current + 1, step=step, at=r.now
        )
    else:
        await uow.accept_step(r.account.account_id, step)


async def second_password_step(
    ctx: SignInContext, handle: str, password: str, ip: str | None
) -> Progress:
    """The admin's second password, the last step (L3)."""
    async with ctx.uow() as uow:
        r = await resume(ctx, uow, handle, ("second_password",), "second_password", ip)
        if not await ctx.checks.check(r.account.second_password_hash, password):
            await fail(ctx, uow, r, "second_password", "wrong_second_password", ip)
        await uow.append([resumed_attempt(r, "second_password", "signed_in", ip)])
        grant = await finish(uow, r)
        await uow.commit()
    return Progress(next_step="done", grant=grant)
