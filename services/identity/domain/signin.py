"""The sign-in sequence and the lockout rule (SPEC L1–L4), as pure functions.

Admins (app 「メンテナンスツール」): password → new password when required → authenticator
enrolment or code → second password. Remote users (「リモートアクセス」, 「ファイル共有」):
the same without the second password, which they give per file-share action instead (F7).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from libs.events.catalogue.signin import SignInApp

AccountKind = Literal["admin", "user"]
NextStep = Literal["new_password", "totp_enrol", "totp", "second_password", "done"]

ADMIN_APP: SignInApp = "メンテナンスツール"
USER_APPS: tuple[SignInApp, ...] = ("リモートアクセス", "ファイル共有")

FAILURE_MEMORY = timedelta(hours=24)
"""Failures older than this are forgotten: "in a row" means within a day, so occasional
typos spread over months never add up to a lock (Keycloak's failure reset time, 12 h)."""


def app_allows(app: SignInApp, kind: AccountKind) -> bool:
    """Admins sign in only to the maintenance tool, users only to the other apps (T4)."""
    return app == ADMIN_APP if kind == "admin" else app in USER_APPS


def step_after_password(
    kind: AccountKind, *, must_change: bool, expired: bool, enrolled: bool
) -> NextStep:
    """The step after a right password: a forced change first (L1), then the authenticator."""
    if must_change or expired:
        return "new_password"
    return step_after_new_password(kind, enrolled=enrolled)


def step_after_new_password(kind: AccountKind, *, enrolled: bool) -> NextStep:
    del kind  # both kinds use an authenticator (L2)
    return "totp" if enrolled else "totp_enrol"


def step_after_totp(kind: AccountKind) -> NextStep:
    """Admins give their second password last (L3); users are signed in."""
    return "second_password" if kind == "admin" else "done"


@dataclass(frozen=True)
class Failures:
    """Failures in a row of one account as typed (L4), from one address or from all."""

    count: int = 0
    locked_until: datetime | None = None
    last_failure_at: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def current(self, now: datetime, memory: timedelta = FAILURE_MEMORY) -> int:
        """The count that still holds at ``now``: a finished lock or a run whose last
        failure is ``memory`` old starts over."""
        if self.locked_until is not None and now >= self.locked_until:
            return 0
        if self.last_failure_at is not None and now - self.last_failure_at >= memory:
            return 0
        return self.count


def after_failure(
    state: Failures,
    now: datetime,
    *,
    limit: int,
    lock_for: timedelta,
    memory: timedelta = FAILURE_MEMORY,
) -> Failures:
    """The state after one more failure: the ``limit``-th in a row locks for ``lock_for``."""
    count = state.current(now, memory) + 1
    locked_until = now + lock_for if count >= limit else None
    return Failures(count=count, locked_until=locked_until, last_failure_at=now)


LockScope = Literal["address", "account"]
"""What a lock keeps out: the account from one source address, or from everywhere."""


@dataclass(frozen=True)
class Lockout:
    """L4 as decided in docs/decisions/0031: an account's failures counted twice.

    ``here``: from the one source address of the attempt. ``limit`` (5) in a row lock the
    account *from that address* for the lock's time: the attacker there is stopped, the
    owner elsewhere is not. ``everywhere``: from all addresses, each failure within the
    lock's time of the one before; a higher ceiling (20) locks the account from everywhere,
    against guessing spread over many addresses. One address alone never reaches it: its
    5th failure locks it out for exactly as long as the ceiling's run remembers.
    """

    here: Failures = Failures()
    everywhere: Failures = Failures()

    def locked(self, now: datetime) -> bool:
        return self.here.locked(now) or self.everywhere.locked(now)


def after_counted_failure(
    state: Lockout, now: datetime, *, per_address: int, per_account: int, lock_for: timedelta
) -> Lockout:
    """The lockout after one more failure from the attempt's address."""
    return Lockout(
        here=after_failure(state.here, now, limit=per_address, lock_for=lock_for),
        everywhere=after_failure(
            state.everywhere, now, limit=per_account, lock_for=lock_for, memory=lock_for
        ),
    )


def newly_locked(before: Lockout, after: Lockout, now: datetime) -> LockScope | None:
    """The lock this failure started, if any: the wider one when both start at once."""
    if after.everywhere.locked(now) and not before.everywhere.locked(now):
        return "account"
    if after.here.locked(now) and not before.here.locked(now):
        return "address"
    return None
