"""What every step of a sign-in shares: its results (``Progress``, ``Grant``), its
context (``SignInContext``), and resuming a sign-in transaction by its handle, failing
a step, finishing, offering an authenticator to enrol, and the ログインログ rows.

Each step is one unit of work under the account's advisory lock: read, decide, append
``SignInAttempted`` (plus any credential event) first, write the rows, commit — and only
then raise a refusal, so every attempt, either way, is logged and counted (L4).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NoReturn
from zoneinfo import ZoneInfo

from libs.events.catalogue import AnyEvent
from libs.events.catalogue.signin import SignInApp, SignInAttempted, SignInReason, SignInStep
from libs.events.clock import Clock
from libs.events.envelope import Actor, Envelope, next_event
from libs.events.ids import new_id
from libs.runtime.problems import Conflict, FieldProblem
from services.identity.app.credential_ports import (
    Account,
    Authenticators,
    CredentialUnitOfWork,
    SignIn,
    SignInUnitOfWork,
    Versions,
)
from services.identity.app.lockout import SignInPolicy, count_failure, record_failure, refusal
from services.identity.app.secret_checks import SecretChecks
from services.identity.domain.signin import Lockout, NextStep
from services.identity.messages import message


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment screen shows once: the QR code, its URI, the secret for typing."""

    secret: str
    otpauth_uri: str
    qr_svg: str


@dataclass(frozen=True)
class Grant:
    """A finished sign-in: what the gateway needs to open a session."""

    account_id: str
    account: str
    role: Literal["admin", "user"]
    facility: str
    facility_id: str
    app: SignInApp


@dataclass(frozen=True)
class Progress:
    """The next step of a sign-in, or its grant when ``next_step`` is ``done``."""

    next_step: NextStep
    handle: str | None = None
    expires_at: datetime | None = None
    password_reason: str | None = None
    enrolment: Enrolment | None = None
    grant: Grant | None = None


@dataclass(frozen=True)
class SignInContext:
    """What the steps run with: a fresh unit of work each, the sealer of authenticator
    secrets, the checks of passwords, the limits, and the clock they decide by."""

    uow: Callable[[], SignInUnitOfWork]
    box: Authenticators
    checks: SecretChecks
    policy: SignInPolicy
    clock: Clock


@dataclass
class Resumed:
    """A sign-in transaction found, locked and still good for its next step."""

    signin: SignIn
    account: Account
    versions: Versions
    failures: Lockout
    now: datetime
    ip: str | None = None
    """The address this step comes from."""


def handle_hash(handle: str) -> bytes:
    return hashlib.sha256(handle.encode()).digest()


def within_validity(account: Account, now: datetime) -> bool:
    """Users sign in only within their validity days, facility time (U1)."""
    if account.kind != "user" or account.valid_from is None or account.valid_until is None:
        return True
    today = now.astimezone(ZoneInfo(account.time_zone)).date()
    return account.valid_from <= today <= account.valid_until


async def enrolled(uow: SignInUnitOfWork, account: Account, versions: Versions) -> bool:
    """An authenticator bound, and not unbound by a reset event since (whoever deletes
    the row)."""
    bound = await uow.totp(account.account_id)
    return bound is not None and bound.enrolled_version > versions.mfa_reset


async def resume(
    ctx: SignInContext,
    uow: SignInUnitOfWork,
    handle: str,
    expected: tuple[NextStep, ...],
    step: SignInStep,
    ip: str | None,
) -> Resumed:
    """The sign-in of ``handle``, locked, if it is live and expects ``step``; else raise
    (after logging the attempt when there is an account to log it for)."""
    hashed = handle_hash(handle)
    seen = await uow.signin(hashed)
    account = await uow.account_by_id(seen.account_id, seen.account_kind) if seen else None
    if seen is None or account is None:
        raise refusal("signin_expired", 410)
    await uow.lock(account.key)
    now = ctx.clock()
    signin = await uow.signin(hashed)  # again, under the lock
    if signin is None:
        raise refusal("signin_expired", 410)
    if signin.next_step not in expected:
        # The handle stays good: say which step it expects, so a client can go on.
        step_due = signin.next_step
        due = FieldProblem("next_step", step_due, message(f"due_{step_due}"))
        raise Conflict("signin_step_mismatch", message("signin_step_mismatch"), errors=(due,))
    r = Resumed(
        signin=signin,
        account=account,
        versions=await uow.versions(account.account_id),
        failures=await uow.failures(account.key, ip),
        now=now,
        ip=ip,
    )
    if signin.expires_at <= now or r.versions.any_reset > signin.base_version:
        await fail(ctx, uow, r, step, "signin_expired", ip)
    if r.failures.locked(now):
        await fail(ctx, uow, r, step, "locked", ip)
    if account.disabled:  # disabling cancels sign-ins; this holds whoever deletes them
        await fail(ctx, uow, r, step, "account_disabled", ip)
    return r


async def fail(
    ctx: SignInContext,
    uow: SignInUnitOfWork,
    r: Resumed,
    step: SignInStep,
    reason: SignInReason,
    ip: str | None,
) -> NoReturn:
    """Log and count a failed step of a resumed sign-in, commit, and raise its refusal.
    A failure that locks ends this sign-in (the handle is refused from now on)."""
    counted = count_failure(ctx.policy, r.account, r.failures, reason, r.now, ip)
    await uow.append([resumed_attempt(r, step, reason, ip), *counted.told])
    if reason in ("signin_expired", "locked") or counted.scope is not None:
        await uow.close_signin(r.signin.handle_hash)
    await record_failure(uow, r.account.key, r.account, counted, ip)
    await uow.commit()
    raise counted.error


async def finish(uow: SignInUnitOfWork, r: Resumed) -> Grant:
    """Close the transaction and start the failure count over: the sign-in succeeded."""
    await uow.close_signin(r.signin.handle_hash)
    # This address's run and the run from everywhere start over; other addresses'
    # runs (someone else guessing) keep theirs.
    await uow.clear_failures(r.account.key, r.ip if r.ip is not None else "-")
    return Grant(
        account_id=r.account.account_id,
        account=r.account.account,
        role=r.account.kind,
        facility=r.account.facility_code,
        facility_id=r.account.facility_id,
        app=r.signin.app,
    )


def offer(
    ctx: SignInContext, account: Account, next_step: NextStep
) -> tuple[Enrolment | None, bytes | None]:
    """A fresh secret to enrol when the next step is enrolment: shown, and kept sealed."""
    if next_step != "totp_enrol":
        return None, None
    secret = ctx.box.new_secret()
    uri = ctx.box.provisioning_uri(secret, account.account, ctx.policy.issuer)
    enrolment = Enrolment(secret=secret, otpauth_uri=uri, qr_svg=ctx.box.qr_svg(uri))
    return enrolment, ctx.box.seal(secret, account.account_id)


def attempt(
    typed: str,
    account: Account | None,
    app: SignInApp,
    step: SignInStep,
    reason: SignInReason,
    ref: str,
    ip: str | None,
    now: datetime,
    named_facility: str | None = None,
) -> Envelope:
    """The SignInAttempted event of one step: its own aggregate, version 1.

    ``named_facility``: for an unknown account, the facility its code and domain name.
    """
    facility = account.facility_code if account else named_facility
    return next_event(
        SignInAttempted(
            account=typed,
            account_id=account.account_id if account else None,
            account_kind=account.kind if account else None,
            facility=facility,
            app=app,
            step=step,
            result="success" if reason in ("step_passed", "signed_in") else "failure",
            reason=reason,
        ),
        facility=facility or "-",
        aggregate_id=new_id(),
        version=0,
        # Nobody is authenticated yet: the actor is whoever claims the account.
        actor=Actor(id=typed, role=account.kind if account else "user", ip=ip),
        correlation_id=ref,
        at=now,
    )


def resumed_attempt(r: Resumed, step: SignInStep, reason: SignInReason, ip: str | None) -> Envelope:
    return attempt(
        r.account.account, r.account, r.signin.app, step, reason, r.signin.signin_ref, ip, r.now
    )


async def account_event(
    uow: CredentialUnitOfWork,
    data: AnyEvent,
    account: Account,
    ip: str | None,
    now: datetime,
    correlation_id: str | None = None,
) -> Envelope:
    """A credential event on the admin's or user's own aggregate, next version."""
    return next_event(
        data,
        facility=account.facility_code,
        aggregate_id=account.account_id,
        version=(await uow.versions(account.account_id)).current,
        actor=Actor(id=account.account, role=account.kind, ip=ip),
        correlation_id=correlation_id,
        at=now,
    )


def resumed_event(data: AnyEvent, r: Resumed, ip: str | None) -> Envelope:
    """A credential event of a resumed sign-in, after the version it resumed with."""
    return next_event(
        data,
        facility=r.account.facility_code,
        aggregate_id=r.account.account_id,
        version=r.versions.current,
        actor=Actor(id=r.account.account, role=r.account.kind, ip=ip),
        correlation_id=r.signin.signin_ref,
        at=r.now,
    )
