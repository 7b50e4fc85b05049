"""Credential lifecycle events of identity's admin and user aggregates (SPEC L1–L3, T4, U4).

They say *that* a credential changed, never what it is: passwords, second passwords and
TOTP secrets live hashed or encrypted in identity's own tables only. ``UserPasswordReset``,
``UserMfaReset`` and ``UserSecondPasswordReset`` (admin actions on users) are in ``users.py``.
"""

from typing import Literal

from libs.events.catalogue.base import Event


class AdminPasswordChanged(Event, frozen=True, kw_only=True, tag="AdminPasswordChanged.v1"):
    """An admin set a new password of its own (first sign-in, after a reset, or expiry)."""

    context = "identity"
    aggregate = "admin"

    account: str
    reason: Literal["initial", "expired", "voluntary"]
    """Why: the initial (or reset) password had to change, it expired, or the admin chose to."""


class AdminMfaEnrolled(Event, frozen=True, kw_only=True, tag="AdminMfaEnrolled.v1"):
    """An admin bound an authenticator app by confirming one code (SPEC L2)."""

    context = "identity"
    aggregate = "admin"

    account: str


class AdminPasswordReset(Event, frozen=True, kw_only=True, tag="AdminPasswordReset.v1"):
    """An operator reset an admin's password; a new initial password was shown once (T4)."""

    context = "identity"
    aggregate = "admin"

    account: str


class AdminMfaReset(Event, frozen=True, kw_only=True, tag="AdminMfaReset.v1"):
    """An operator unbound an admin's authenticator; it enrols again at next sign-in (T4)."""

    context = "identity"
    aggregate = "admin"

    account: str


class AdminSecondPasswordReset(Event, frozen=True, kw_only=True, tag="AdminSecondPasswordReset.v1"):
    """An operator gave an admin a new second password, shown once (issue 15's recovery)."""

    context = "identity"
    aggregate = "admin"

    account: str


class UserPasswordChanged(Event, frozen=True, kw_only=True, tag="UserPasswordChanged.v1"):
    """A remote user set a new password of its own (first sign-in, after a reset, or expiry)."""

    context = "identity"
    aggregate = "user"

    account: str
    reason: Literal["initial", "expired", "voluntary"]


class UserMfaEnrolled(Event, frozen=True, kw_only=True, tag="UserMfaEnrolled.v1"):
    """A remote user bound an authenticator app by confirming one code."""

    context = "identity"
    aggregate = "user"

    account: str


class AdminPasswordRecovered(Event, frozen=True, kw_only=True, tag="AdminPasswordRecovered.v1"):
    """An admin set a new password through 「パスワードを忘れた場合」: a one-time link mailed
    to its address, then a valid code of its authenticator (issue 15). Its sessions end."""

    context = "identity"
    aggregate = "admin"

    account: str


class UserPasswordRecovered(Event, frozen=True, kw_only=True, tag="UserPasswordRecovered.v1"):
    """A remote user set a new password through 「パスワードを忘れた場合」 (mailed link, then
    a valid authenticator code; issue 15). Its sessions end."""

    context = "identity"
    aggregate = "user"

    account: str


class FacilityPasswordExpirySet(
    Event, frozen=True, kw_only=True, tag="FacilityPasswordExpirySet.v1"
):
    """An operator set how long passwords of a facility's accounts last (SPEC L1)."""

    context = "identity"
    aggregate = "facility"

    max_age_days: int | None
    """Days after its last change a password must be changed at sign-in; None: never."""


CREDENTIAL_EVENTS: tuple[type[Event], ...] = (
    AdminPasswordChanged,
    AdminMfaEnrolled,
    AdminPasswordReset,
    AdminMfaReset,
    UserPasswordChanged,
    UserMfaEnrolled,
    FacilityPasswordExpirySet,
    AdminSecondPasswordReset,
    AdminPasswordRecovered,
    UserPasswordRecovered,
)
