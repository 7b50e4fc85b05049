"""「パスワードを忘れた場合」 as pure decisions (issue 15, decision 0020).

A request mails a link only to an account that could sign in with it on that surface and
has an authenticator bound: the link sets a password only after that account's code, so an
address alone never takes an account over. Everyone else is told the same, and mailed
nothing: they need an admin's (users) or an operator's (admins) reset.
"""

from datetime import datetime, timedelta
from typing import Literal

from libs.events.catalogue.signin import RecoveryReason, SignInApp
from services.identity.domain.signin import AccountKind, app_allows

LinkRefusal = Literal["link_expired", "link_used", "link_replaced"]

ADMIN_PAGE = "/reset-password"
USER_PAGE = "/share/reset-password"


def request_verdict(
    *,
    exists: bool,
    kind: AccountKind | None,
    app: SignInApp,
    disabled: bool,
    valid: bool,
    enrolled: bool,
    address: str | None,
) -> RecoveryReason:
    """What a request comes to: ``link_sent`` when a link goes out, else why not."""
    if not exists or kind is None:
        return "unknown_account"
    if not app_allows(app, kind):
        return "app_not_allowed"
    if disabled:
        return "account_disabled"
    if not valid:
        return "account_not_valid"
    if not enrolled:
        return "mfa_not_enrolled"
    if not address:
        return "no_address"
    return "link_sent"


def link_refusal(
    *,
    used_at: datetime | None,
    replaced_at: datetime | None,
    expires_at: datetime,
    base_version: int,
    reset_version: int,
    now: datetime,
) -> LinkRefusal | None:
    """Why a link no longer works, or None: used first, then replaced (by a newer link,
    a recovery, a lock, or a reset of the account since it was mailed), then expired."""
    if used_at is not None:
        return "link_used"
    if replaced_at is not None or reset_version > base_version:
        return "link_replaced"
    if expires_at <= now:
        return "link_expired"
    return None


def link_url(public_url: str, kind: AccountKind, token: str) -> str:
    """The page that sets the password, the token in the fragment: browsers never send a
    fragment to the server, so it stays out of access logs, proxies and Referer headers."""
    page = ADMIN_PAGE if kind == "admin" else USER_PAGE
    return f"{public_url.rstrip('/')}{page}#token={token}"


def link_lifetime_minutes(lifetime: timedelta) -> int:
    """The lifetime as the mail says it, in whole minutes (at least 1)."""
    return max(1, round(lifetime.total_seconds() / 60))
