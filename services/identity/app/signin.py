"""Sign-in, one step per request (SPEC L1–L4): the engine behind the gateway's screens.

The password step opens a sign-in transaction and hands back an opaque handle; every
later step presents it and must be the step the transaction expects. Each step is one
``CredentialStore`` transaction under the account's advisory lock: read, decide, append
``SignInAttempted`` (plus any credential event) first, write the rows, commit — and only
then raise a refusal, so every attempt, either way, is logged and counted (L4).

Accounts that do not exist answer exactly like a wrong password, cost the same argon2
verification, and lock the same way after 5 failures: nothing tells them apart.
"""

import asyncio
import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NoReturn
from zoneinfo import ZoneInfo

from libs.events.catalogue import AnyEvent
from libs.events.catalogue.credentials import (
    AdminMfaEnrolled,
    AdminPasswordChanged,
    UserMfaEnrolled,
    UserPasswordChanged,
)
from libs.events.catalogue.signin import (
    AccountLocked,
    SignInApp,
    SignInAttempted,
    SignInReason,
    SignInStep,
)
from libs.events.clock import Clock, system_clock
from libs.events.envelope import SYSTEM, Actor, Envelope, next_event
from libs.events.ids import new_id
from libs.events.retry import retrying
from libs.runtime.problems import Conflict, DomainError, FieldProblem, NotFound
from services.identity.adapters import passwords, totp
from services.identity.adapters.credentials import (
    Account,
    CredentialStore,
    SignIn,
    Versions,
)
from services.identity.adapters.totp import SecretBox
from services.identity.domain.password_policy import (
    password_expired,
    policy_problems,
    policy_refusal,
)
from services.identity.domain.signin import (
    Lockout,
    LockScope,
    NextStep,
    after_counted_failure,
    app_allows,
    newly_locked,
    step_after_new_password,
    step_after_password,
    step_after_totp,
)
from services.identity.messages import TOTP_ISSUER, message

# Failures of a factor: they count toward the lock (L4). A rejected new password or an
# expired sign-in is logged but proves nothing about who is typing.
_COUNTED: frozenset[SignInReason] = frozenset(
    {
        "unknown_account",
        "wrong_password",
        "app_not_allowed",
        "account_not_valid",
        "account_disabled",
        "wrong_totp",
        "totp_replayed",
        "wrong_second_password",
    }
)


@dataclass(frozen=True)
class SignInPolicy:
    """The limits of L4 and how long one step may take."""

    lockout_failures: int = 5
    """Failures in a row from one address that lock the account from that address."""
    lockout_ceiling: int = 20
    """Failures in a row from all addresses that lock the account from everywhere."""
    lockout: timedelta = timedelta(minutes=15)
    step_ttl: timedelta = timedelta(minutes=5)
    issuer: str = TOTP_ISSUER


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


def refusal(code: str, status: int) -> DomainError:
    return DomainError(code, message(code), status=status)


_REFUSALS: dict[SignInReason, tuple[str, int]] = {
    "unknown_account": ("signin_failed", 401),
    "wrong_password": ("signin_failed", 401),
    "app_not_allowed": ("signin_failed", 401),
    "account_not_valid": ("signin_failed", 401),
    # A disabled admin is told nothing more than a wrong password would tell it (L4's
    # lockout style: the refusal names no reason; the login log keeps the real one).
    "account_disabled": ("signin_failed", 401),
    "wrong_totp": ("totp_invalid", 401),
    "totp_replayed": ("totp_invalid", 401),
    "wrong_second_password": ("second_password_invalid", 401),
    "locked": ("account_locked", 423),
    "signin_expired": ("signin_expired", 410),
}


@functools.cache
def _decoy_hash() -> str:
    """An argon2id hash nobody knows the password of: unknown accounts verify against it."""
    return passwords.hash_password(secrets.token_urlsafe(24))


def _check_secret_sync(stored: str | None, candidate: str, even_time: bool) -> bool:
    if stored is None:
        passwords.verify_password(_decoy_hash(), candidate)
        return False
    ok = passwords.verify_secret(stored, candidate)
    if even_time and not stored.startswith("$argon2"):
        # A fast keyed hash (machine-made initial secrets) would answer sooner than the
        # argon2 of a chosen password or of an unknown account: pad to the same cost.
        passwords.verify_password(_decoy_hash(), candidate)
    return ok


async def check_secret(stored: str | None, candidate: str, *, even_time: bool = False) -> bool:
    """True when ``candidate`` matches ``stored`` (None: never, at an argon2's cost).

    ``even_time``: always cost one argon2 verification, so the answer's timing says
    nothing about the account (the password step; later steps know the account already).
    """
    return await asyncio.to_thread(_check_secret_sync, stored, candidate, even_time)


def handle_hash(handle: str) -> bytes:
    return hashlib.sha256(handle.encode()).digest()


def within_validity(account: Account, now: datetime) -> bool:
    """Users sign in only within their validity days, facility time (U1)."""
    if account.kind != "user" or account.valid_from is None or account.valid_until is None:
        return True
    today = now.astimezone(ZoneInfo(account.time_zone)).date()
    return account.valid_from <= today <= account.valid_until


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


@dataclass(frozen=True)
class Counted:
    """One attempt's failure as L4 counts it (docs/decisions/0031): the runs to save (None
    when the reason does not count), the event telling the facility's admins of a lock this
    failure started, to append with the attempt, and the refusal to answer."""

    state: Lockout | None
    told: tuple[Envelope, ...]
    error: DomainError
    scope: LockScope | None = None
    """The lock this failure started, if any."""


def count_failure(
    policy: SignInPolicy,
    account: Account | None,
    failures: Lockout,
    reason: SignInReason,
    now: datetime,
    ip: str | None,
) -> Counted:
    """Count a factor's failure from ``ip`` and pick the refusal; nothing is written yet
    (``record_failure`` does, after the append: the append is the first write).

    Shared with 「パスワードを忘れた場合」: a wrong code there counts as at sign-in (L4).
    """
    if reason not in _COUNTED:
        return Counted(None, (), refusal(*_REFUSALS[reason]))
    state = after_counted_failure(
        failures,
        now,
        per_address=policy.lockout_failures,
        per_account=policy.lockout_ceiling,
        lock_for=policy.lockout,
    )
    scope = newly_locked(failures, state, now)
    if scope is None:
        return Counted(state, (), refusal(*_REFUSALS[reason]))
    told = () if account is None else (_lock_notice(policy, account, state, scope, ip, now),)
    return Counted(state, told, refusal(*_REFUSALS["locked"]), scope)


async def record_failure(
    store: CredentialStore, key: str, account: Account | None, counted: Counted, ip: str | None
) -> None:
    """Save the counted runs; a lock from everywhere also ends the account's sign-ins in
    progress (a lock from one address leaves the owner's elsewhere alone)."""
    if counted.state is not None:
        await store.save_failures(key, ip, counted.state)
    if counted.scope == "account" and account is not None:
        await store.cancel_signins(account.account_id)


def _lock_notice(
    policy: SignInPolicy,
    account: Account,
    state: Lockout,
    scope: LockScope,
    ip: str | None,
    now: datetime,
) -> Envelope:
    """``AccountLocked`` for the facility's 操作ログ: the system locked it, from ``ip``."""
    run = state.everywhere if scope == "account" else state.here
    assert run.locked_until is not None
    return next_event(
        AccountLocked(
            account=account.account,
            account_id=account.account_id,
            account_kind=account.kind,
            facility=account.facility_code,
            scope=scope,
            failures=run.count,
            lock_minutes=int(policy.lockout.total_seconds() // 60),
            locked_until=run.locked_until,
        ),
        facility=account.facility_code,
        aggregate_id=new_id(),
        version=0,
        actor=Actor(id=SYSTEM.id, role="system", ip=ip),
        at=now,
    )


@dataclass(frozen=True)
class SignedIn:
    """Who a session belongs to, as the gateway's internal token names it."""

    account: str
    role: str
    facility: str


@dataclass
class _Resumed:
    """A sign-in transaction found, locked and still good for its next step."""

    signin: SignIn
    account: Account
    versions: Versions
    failures: Lockout
    now: datetime
    ip: str | None = None
    """The address this step comes from."""


class SignIns:
    """The sign-in steps of admins and users, on identity's database."""

    def __init__(
        self,
        store: Callable[[], CredentialStore],
        box: SecretBox,
        policy: SignInPolicy,
        clock: Clock = system_clock,
    ) -> None:
        self._store = store
        self._box = box
        self._policy = policy
        self._clock = clock
        _decoy_hash()  # now, not in the first unknown account's answer time

    # -- steps ---------------------------------------------------------------------------

    async def start(self, typed: str, password: str, app: SignInApp, ip: str | None) -> Progress:
        """Step 1: account and password. Opens the sign-in transaction."""
        typed = typed.strip()
        key = typed.lower()
        async with self._store() as store:
            await store.lock(key)
            now = self._clock()
            account = await store.find_account(key)
            failures = await store.failures(key, ip)
            ref = new_id()
            reason: SignInReason = "locked"
            if not failures.locked(now):
                matched = await check_secret(
                    account.password_hash if account else None, password, even_time=True
                )
                reason = _password_verdict(account, matched, app, now)
            # An unknown account that names a facility goes to that facility's log: its
            # admins see guessing at their accounts (the name says nothing they lack).
            named = None if account else await store.facility_named_by(key)
            attempt = self._attempt(typed, account, app, "password", reason, ref, ip, now, named)
            if reason != "step_passed" or account is None:
                counted = count_failure(self._policy, account, failures, reason, now, ip)
                await store.append([attempt, *counted.told])
                await record_failure(store, key, account, counted, ip)
                await store.purge(now)
                await store.commit()
                raise counted.error
            versions = await store.versions(account.account_id)
            expired = password_expired(
                account.password_changed_at, account.password_max_age_days, now
            )
            next_step = step_after_password(
                account.kind,
                must_change=account.must_change_password,
                expired=expired,
                enrolled=await self._enrolled(store, account, versions),
            )
            enrolment, pending = self._offer(account, next_step)
            handle = secrets.token_urlsafe(32)
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
                expires_at=now + self._policy.step_ttl,
            )
            await store.append([attempt])
            await store.open_signin(signin)
            await store.purge(now)
            await store.commit()
        return Progress(
            next_step=next_step,
            handle=handle,
            expires_at=signin.expires_at,
            password_reason=signin.password_reason,
            enrolment=enrolment,
        )

    async def new_password(self, handle: str, password: str, ip: str | None) -> Progress:
        """The forced change of L1: first sign-in, after a reset, or on expiry."""
        return await retrying(lambda: self._new_password(handle, password, ip))

    async def totp(self, handle: str, code: str, ip: str | None) -> Progress:
        """An authenticator code: confirms an enrolment or proves the bound one (L2)."""
        return await retrying(lambda: self._totp(handle, code, ip))

    async def second_password(self, handle: str, password: str, ip: str | None) -> Progress:
        """The admin's second password, the last step (L3)."""
        async with self._store() as store:
            r = await self._resume(store, handle, ("second_password",), "second_password", ip)
            if not await check_secret(r.account.second_password_hash, password):
                await self._fail(store, r, "second_password", "wrong_second_password", ip)
            await store.append([self._resumed_attempt(r, "second_password", "signed_in", ip)])
            grant = await self._finish(store, r)
            await store.commit()
        return Progress(next_step="done", grant=grant)

    # -- checks for a signed-in admin or user ----------------------------------------------

    async def change_password(self, who: SignedIn, current: str, new: str, ip: str | None) -> str:
        """A signed-in admin or user replaces its password (L1 policy); the consistency token.

        A wrong current password counts toward the lock like any factor's failure (L4): a
        stolen session must not become a password-guessing oracle.
        """
        return await retrying(lambda: self._change_password(who, current, new, ip))

    async def check_second_password(
        self, who: SignedIn, candidate: str, ip: str | None = None
    ) -> None:
        """Return when ``candidate`` is the second password of the signed-in admin or user
        (F7: a user's file-share actions need it); raise 401, or 423 once locked (L4)."""
        async with self._store() as store:
            account = await self._signed_in(store, who)
            failures, now = await self._checkable(store, account, ip)
            if not await check_secret(account.second_password_hash, candidate):
                error = await self._count_alone(
                    store, account, failures, "wrong_second_password", now, ip
                )
                await store.commit()
                raise error

    async def _change_password(self, who: SignedIn, current: str, new: str, ip: str | None) -> str:
        async with self._store() as store:
            account = await self._signed_in(store, who)
            failures, now = await self._checkable(store, account, ip)
            if not await check_secret(account.password_hash, current):
                error = await self._count_alone(store, account, failures, "wrong_password", now, ip)
                await store.commit()
                if error.code == "account_locked":
                    raise error
                raise refusal("current_password_invalid", 401)
            problems = policy_problems(new, account.name, same_as_current=new == current)
            if problems:
                raise policy_refusal(problems)
            new_hash = await asyncio.to_thread(passwords.hash_password, new)
            changed: AnyEvent = (
                AdminPasswordChanged(account=account.account, reason="voluntary")
                if account.kind == "admin"
                else UserPasswordChanged(account=account.account, reason="voluntary")
            )
            event = self._account_event(
                changed, account, await store.versions(account.account_id), ip, now
            )
            await store.append([event])
            await store.set_password(account, new_hash, must_change=False, changed_at=now)
            # Sign-ins begun with the old password must not finish with it.
            await store.cancel_signins(account.account_id)
            await store.commit()
        return event.event_id

    async def _signed_in(self, store: CredentialStore, who: SignedIn) -> Account:
        """The account of a session, as the gateway's token names it; 404 when gone."""
        account = await store.find_account(who.account.strip().lower())
        if (
            account is None
            or account.disabled
            or (account.kind, account.facility_code) != (who.role, who.facility)
        ):
            raise NotFound("account_not_found", message("account_not_found"))
        return account

    async def _checkable(
        self, store: CredentialStore, account: Account, ip: str | None
    ) -> tuple[Lockout, datetime]:
        """Lock the account for a credential check; 423 while it is locked (from ``ip``)."""
        await store.lock(account.key)
        now = self._clock()
        failures = await store.failures(account.key, ip)
        if failures.locked(now):
            raise refusal("account_locked", 423)
        return failures, now

    # -- step bodies ---------------------------------------------------------------------

    async def _new_password(self, handle: str, password: str, ip: str | None) -> Progress:
        async with self._store() as store:
            r = await self._resume(store, handle, ("new_password",), "new_password", ip)
            account = r.account
            same = await check_secret(account.password_hash, password)
            problems = policy_problems(password, account.name, same_as_current=same)
            if problems:
                await store.append(
                    [self._resumed_attempt(r, "new_password", "password_rejected", ip)]
                )
                await store.commit()
                raise policy_refusal(problems)
            new_hash = await asyncio.to_thread(passwords.hash_password, password)
            why: Literal["initial", "expired"] = (
                "expired" if r.signin.password_reason == "expired" else "initial"
            )
            changed: AnyEvent = (
                AdminPasswordChanged(account=account.account, reason=why)
                if account.kind == "admin"
                else UserPasswordChanged(account=account.account, reason=why)
            )
            next_step = step_after_new_password(
                account.kind, enrolled=await self._enrolled(store, account, r.versions)
            )
            enrolment, pending = self._offer(account, next_step)
            await store.append(
                [
                    self._resumed_attempt(r, "new_password", "step_passed", ip),
                    self._resumed_event(changed, r, ip),
                ]
            )
            await store.set_password(account, new_hash, must_change=False, changed_at=r.now)
            expires_at = r.now + self._policy.step_ttl
            await store.advance(r.signin.handle_hash, next_step, expires_at, pending)
            await store.commit()
        return Progress(
            next_step=next_step, handle=handle, expires_at=expires_at, enrolment=enrolment
        )

    async def _totp(self, handle: str, code: str, ip: str | None) -> Progress:
        async with self._store() as store:
            r = await self._resume(store, handle, ("totp", "totp_enrol"), "totp", ip)
            account = r.account
            enrolling = r.signin.next_step == "totp_enrol"
            if enrolling:
                sealed, last = r.signin.pending_totp_sealed, -1
            else:
                bound = await store.totp(account.account_id)
                sealed, last = (bound.secret_sealed, bound.last_step) if bound else (None, -1)
            if sealed is None:  # unbound behind our back without a reset event: start over
                await self._fail(store, r, "totp", "signin_expired", ip)
            step = totp.matching_step(self._box.open(sealed, account.account_id), code, r.now)
            if step is None:
                await self._fail(store, r, "totp", "wrong_totp", ip)
            if step <= last:
                await self._fail(store, r, "totp", "totp_replayed", ip)
            next_step = step_after_totp(account.kind)
            reason: SignInReason = "signed_in" if next_step == "done" else "step_passed"
            events = [self._resumed_attempt(r, "totp", reason, ip)]
            if enrolling:
                enrolled: AnyEvent = (
                    AdminMfaEnrolled(account=account.account)
                    if account.kind == "admin"
                    else UserMfaEnrolled(account=account.account)
                )
                events.append(self._resumed_event(enrolled, r, ip))
            await store.append(events)
            if enrolling:
                await store.enrol_totp(
                    account.account_id,
                    sealed,
                    version=r.versions.current + 1,
                    step=step,
                    at=r.now,
                )
            else:
                await store.accept_step(account.account_id, step)
            if next_step == "done":
                grant = await self._finish(store, r)
                await store.commit()
                return Progress(next_step="done", grant=grant)
            expires_at = r.now + self._policy.step_ttl
            await store.advance(r.signin.handle_hash, next_step, expires_at, None)
            await store.commit()
        return Progress(next_step=next_step, handle=handle, expires_at=expires_at)

    # -- shared parts --------------------------------------------------------------------

    async def _resume(
        self,
        store: CredentialStore,
        handle: str,
        expected: tuple[NextStep, ...],
        step: SignInStep,
        ip: str | None,
    ) -> _Resumed:
        """The sign-in of ``handle``, locked, if it is live and expects ``step``; else raise
        (after logging the attempt when there is an account to log it for)."""
        hashed = handle_hash(handle)
        seen = await store.signin(hashed)
        account = await store.account_by_id(seen.account_id, seen.account_kind) if seen else None
        if seen is None or account is None:
            raise refusal("signin_expired", 410)
        await store.lock(account.key)
        now = self._clock()
        signin = await store.signin(hashed)  # again, under the lock
        if signin is None:
            raise refusal("signin_expired", 410)
        if signin.next_step not in expected:
            # The handle stays good: say which step it expects, so a client can go on.
            step_due = signin.next_step
            due = FieldProblem("next_step", step_due, message(f"due_{step_due}"))
            raise Conflict("signin_step_mismatch", message("signin_step_mismatch"), errors=(due,))
        r = _Resumed(
            signin=signin,
            account=account,
            versions=await store.versions(account.account_id),
            failures=await store.failures(account.key, ip),
            now=now,
            ip=ip,
        )
        if signin.expires_at <= now or r.versions.any_reset > signin.base_version:
            await self._fail(store, r, step, "signin_expired", ip)
        if r.failures.locked(now):
            await self._fail(store, r, step, "locked", ip)
        if account.disabled:  # disabling cancels sign-ins; this holds whoever deletes them
            await self._fail(store, r, step, "account_disabled", ip)
        return r

    async def _fail(
        self,
        store: CredentialStore,
        r: _Resumed,
        step: SignInStep,
        reason: SignInReason,
        ip: str | None,
    ) -> NoReturn:
        """Log and count a failed step of a resumed sign-in, commit, and raise its refusal.
        A failure that locks ends this sign-in (the handle is refused from now on)."""
        counted = count_failure(self._policy, r.account, r.failures, reason, r.now, ip)
        await store.append([self._resumed_attempt(r, step, reason, ip), *counted.told])
        if reason in ("signin_expired", "locked") or counted.scope is not None:
            await store.close_signin(r.signin.handle_hash)
        await record_failure(store, r.account.key, r.account, counted, ip)
        await store.commit()
        raise counted.error

    async def _count_alone(
        self,
        store: CredentialStore,
        account: Account,
        failures: Lockout,
        reason: SignInReason,
        now: datetime,
        ip: str | None,
    ) -> DomainError:
        """Count a signed-in caller's failed check, which logs no attempt of its own: the
        lock it may start is the transaction's only event."""
        counted = count_failure(self._policy, account, failures, reason, now, ip)
        await store.append(counted.told)
        await record_failure(store, account.key, account, counted, ip)
        return counted.error

    async def _finish(self, store: CredentialStore, r: _Resumed) -> Grant:
        """Close the transaction and start the failure count over: the sign-in succeeded."""
        await store.close_signin(r.signin.handle_hash)
        # This address's run and the run from everywhere start over; other addresses'
        # runs (someone else guessing) keep theirs.
        await store.clear_failures(r.account.key, r.ip if r.ip is not None else "-")
        return Grant(
            account_id=r.account.account_id,
            account=r.account.account,
            role=r.account.kind,
            facility=r.account.facility_code,
            facility_id=r.account.facility_id,
            app=r.signin.app,
        )

    async def _enrolled(self, store: CredentialStore, account: Account, versions: Versions) -> bool:
        """Bound, and not unbound by a reset event since (whoever deletes the row)."""
        bound = await store.totp(account.account_id)
        return bound is not None and bound.enrolled_version > versions.mfa_reset

    def _offer(
        self, account: Account, next_step: NextStep
    ) -> tuple[Enrolment | None, bytes | None]:
        """A fresh secret to enrol when the next step is enrolment: shown, and kept sealed."""
        if next_step != "totp_enrol":
            return None, None
        secret = totp.new_secret()
        uri = totp.provisioning_uri(secret, account.account, self._policy.issuer)
        enrolment = Enrolment(secret=secret, otpauth_uri=uri, qr_svg=totp.qr_svg(uri))
        return enrolment, self._box.seal(secret, account.account_id)

    def _attempt(
        self,
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

    def _resumed_attempt(
        self, r: _Resumed, step: SignInStep, reason: SignInReason, ip: str | None
    ) -> Envelope:
        return self._attempt(
            r.account.account, r.account, r.signin.app, step, reason, r.signin.signin_ref, ip, r.now
        )

    def _account_event(
        self,
        data: AnyEvent,
        account: Account,
        versions: Versions,
        ip: str | None,
        now: datetime,
        correlation_id: str | None = None,
    ) -> Envelope:
        """A credential event on the admin's or user's own aggregate, next version."""
        envelope = next_event(
            data,
            facility=account.facility_code,
            aggregate_id=account.account_id,
            version=versions.current,
            actor=Actor(id=account.account, role=account.kind, ip=ip),
            correlation_id=correlation_id,
            at=now,
        )
        return envelope

    def _resumed_event(self, data: AnyEvent, r: _Resumed, ip: str | None) -> Envelope:
        return self._account_event(data, r.account, r.versions, ip, r.now, r.signin.signin_ref)
