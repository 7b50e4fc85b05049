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
    """Failures in a row of one account as typed (L4)."""

    count: int = 0
    locked_until: datetime | None = None
    last_failure_at: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def current(self, now: datetime) -> int:
        """The count that still holds at ``now``: a finished lock or a stale run starts over."""
        if self.locked_until is not None and now >= self.locked_until:
            return 0
        if self.last_failure_at is not None and now - self.last_failure_at > FAILURE_MEMORY:
            return 0
        return self.count


def after_failure(state: Failures, now: datetime, *, limit: int, lock_for: timedelta) -> Failures:
    """The state after one more failure: the ``limit``-th in a row locks for ``lock_for``."""
    count = state.current(now) + 1
    locked_until = now + lock_for if count >= limit else None
    return Failures(count=count, locked_until=locked_until, last_failure_at=now)
