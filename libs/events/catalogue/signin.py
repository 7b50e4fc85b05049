"""Events of the sign-in context: every attempt at every step (SPEC L4, A1 ログインログ).

High volume and short-lived, so they have a stream of their own with a shorter age
(``EventSettings.signin_max_age_days``). Each attempt is its own aggregate (version 1):
attempts never contend with each other or with the account's own aggregate. The source
address is the envelope's ``actor.ip``; the steps of one sign-in share the envelope's
``correlation_id`` (the transaction's public reference, never its secret handle). No
password, code or secret is ever carried.
"""

from datetime import datetime
from typing import Literal

from libs.events.catalogue.base import Event

SignInApp = Literal["メンテナンスツール", "リモートアクセス", "ファイル共有"]
"""アプリ名 of the ログインログ: admins sign in to the maintenance tool, users to the other two."""

SignInStep = Literal["password", "new_password", "totp", "second_password"]
"""The factor the attempt presented; an authenticator's enrolment counts as ``totp``."""

SignInReason = Literal[
    "step_passed",
    "signed_in",
    "unknown_account",
    "wrong_password",
    "app_not_allowed",
    "account_not_valid",
    "account_disabled",
    "locked",
    "password_rejected",
    "wrong_totp",
    "totp_replayed",
    "wrong_second_password",
    "signin_expired",
]
"""Why the attempt ended as it did: the first two are successes, the rest failures."""


class SignInAttempted(Event, frozen=True, kw_only=True, tag="SignInAttempted.v1"):
    """One sign-in step was attempted, successfully or not. Aggregate id: the attempt's id."""

    context = "signin"
    aggregate = "signin"

    account: str
    """The account as typed (trimmed, at most 254 characters), known or not."""
    account_id: str | None = None
    """The admin's or user's aggregate id, when the account exists."""
    account_kind: Literal["admin", "user"] | None = None
    facility: str | None = None
    """Facility code of the account; for an unknown account, of the facility its code and
    domain name, if any. Also the envelope's facility (``-`` when None)."""
    app: SignInApp
    step: SignInStep
    result: Literal["success", "failure"]
    reason: SignInReason


RecoveryStep = Literal["recovery_request", "recovery_link", "recovery_password"]
"""The step of 「パスワードを忘れた場合」: the request (resolved by identity's worker, which
mails the link or not), opening the mailed link, and setting the new password with an
authenticator code."""

RecoveryReason = Literal[
    "link_sent",
    "link_opened",
    "password_recovered",
    "unknown_account",
    "app_not_allowed",
    "account_disabled",
    "account_not_valid",
    "mfa_not_enrolled",
    "no_address",
    "mail_not_sent",
    "link_unknown",
    "link_expired",
    "link_used",
    "link_replaced",
    "locked",
    "wrong_totp",
    "totp_replayed",
    "password_rejected",
]
"""The first three are successes, the rest failures. A request that mails nothing is a
failure with its reason here, while its requester is told the same as for any other."""


class PasswordRecoveryAttempted(
    Event, frozen=True, kw_only=True, tag="PasswordRecoveryAttempted.v1"
):
    """One step of 「パスワードを忘れた場合」 (issue 15), either way: a row of ログインログ like
    a sign-in step. Aggregate id: the attempt's id. The steps of one request share the
    envelope's ``correlation_id`` (the request's id). No token, code or password is carried."""

    context = "signin"
    aggregate = "signin"

    account: str
    """The account as typed in the request (trimmed), or the link's account."""
    account_id: str | None = None
    account_kind: Literal["admin", "user"] | None = None
    facility: str | None = None
    """As in ``SignInAttempted``: the account's facility, or the one an unknown account names."""
    app: SignInApp
    """The surface the request came from: 「メンテナンスツール」 (admins) or 「ファイル共有」."""
    step: RecoveryStep
    result: Literal["success", "failure"]
    reason: RecoveryReason


class AccountLocked(Event, frozen=True, kw_only=True, tag="AccountLocked.v1"):
    """An admin's or user's failures in a row locked its sign-in (SPEC L4, decision 0031):
    told to the facility's admins in 操作ログ. Aggregate id: the lock's own id; the actor is
    the system, with the address of the failure that locked it."""

    context = "signin"
    aggregate = "signin"

    account: str
    account_id: str
    account_kind: Literal["admin", "user"]
    facility: str
    scope: Literal["address", "account"]
    """``address``: the account is locked out from the actor's address only; ``account``:
    from everywhere (the ceiling of failures from all addresses was reached)."""
    failures: int
    """The failures in a row that locked it (from that address, or from all)."""
    lock_minutes: int
    locked_until: datetime


SIGNIN_EVENTS: tuple[type[Event], ...] = (
    SignInAttempted,
    PasswordRecoveryAttempted,
    AccountLocked,
)
