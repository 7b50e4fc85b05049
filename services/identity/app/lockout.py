"""Counting failures toward the lock of L4 (docs/decisions/0031) and the refusals a
failed step answers with: shared by sign-in, the signed-in checks and
「パスワードを忘れた場合」 (a wrong code there counts as at sign-in)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from libs.events.catalogue.signin import AccountLocked, SignInReason
from libs.events.envelope import SYSTEM, Actor, Envelope, next_event
from libs.events.ids import new_id
from libs.runtime.problems import DomainError
from services.identity.app.credential_ports import Account, SignInUnitOfWork
from services.identity.domain.signin import Lockout, LockScope, after_counted_failure, newly_locked
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
    uow: SignInUnitOfWork, key: str, account: Account | None, counted: Counted, ip: str | None
) -> None:
    """Save the counted runs; a lock from everywhere also ends the account's sign-ins in
    progress (a lock from one address leaves the owner's elsewhere alone)."""
    if counted.state is not None:
        await uow.save_failures(key, ip, counted.state)
    if counted.scope == "account" and account is not None:
        await uow.cancel_signins(account.account_id)


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
