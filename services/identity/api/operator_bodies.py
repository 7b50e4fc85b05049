"""Bodies of identity's operator routes (SPEC T4, L1; issue 15) and of the facility and
admin profile reads (``api/operator.py``)."""

import msgspec

from services.identity.contract import FacilitySettings


class FacilityCreate(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    domain: str
    admin: str
    admin_display_name: str | None = None
    """The first admin's 氏名 (the CLI always sends it)."""
    admin_email: str | None = None
    """The first admin's address (the CLI always sends it)."""
    time_zone: str = "Asia/Tokyo"
    download_period_months: int = 3
    internal_networks: list[str] = []
    notification_addresses: list[str] = []
    """Where the facility's notices go besides its admins' own addresses (at most 10)."""


class AdminIn(msgspec.Struct, frozen=True, kw_only=True):
    """A further admin of a facility (issue 15)."""

    name: str
    """The name part of its account, ``<code>-<name>@<domain>`` (T2)."""
    display_name: str
    """氏名: at most 64 characters, no control characters."""
    email: str
    """At most 64 characters, a valid address."""


class AdminAddedOut(msgspec.Struct, frozen=True, kw_only=True):
    admin_id: str
    account: str
    display_name: str
    email: str
    initial_password: str
    """Shown once; changed at the admin's first sign-in."""
    initial_second_password: str
    """Shown once."""
    consistency_token: str


class AdminStateOut(msgspec.Struct, frozen=True, kw_only=True):
    admin_id: str
    account: str
    disabled: bool
    consistency_token: str


class AdminProfileOut(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in admin's own profile, for the console's header."""

    account: str
    name: str
    """The account's name part."""
    display_name: str | None
    """氏名; null for an admin created before admins had one."""
    email: str | None


class FacilityCreatedOut(msgspec.Struct, frozen=True, kw_only=True):
    facility_id: str
    admin_account: str
    initial_password: str
    initial_second_password: str
    consistency_token: str


class AdminAccountIn(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    """The admin's full account, ``<code>-<name>@<domain>``."""


class AdminResetOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    admin_id: str
    account: str
    initial_password: str | None = None
    """Only for a password reset: shown once, changed at the admin's next sign-in."""
    initial_second_password: str | None = None
    """A second password reset's new second password, shown once; after a password reset,
    only when the admin had none yet (created before they existed)."""
    consistency_token: str


class PasswordExpiryIn(msgspec.Struct, frozen=True, kw_only=True):
    max_age_days: int | None
    """Days a password lasts after its change; null turns expiry off (the default)."""


class FacilitySettingsIn(msgspec.Struct, frozen=True, kw_only=True):
    """A change of a facility's settings (T1, issue 15): an absent or null setting stays as
    it is; a list given replaces the old one whole (``[]`` clears it)."""

    name: str | None = None
    time_zone: str | None = None
    """An IANA time zone, e.g. ``Asia/Tokyo``."""
    download_period_months: int | None = None
    """1–12."""
    internal_networks: list[str] | None = None
    """CIDRs counted as inside the facility (院内), at most 100."""
    notification_addresses: list[str] | None = None
    """At most 10 addresses."""
    password_expiry: PasswordExpiryIn | None = None
    """``{"max_age_days": n}`` (1–3650) or ``{"max_age_days": null}`` (never, L1)."""


class FacilitySettingsChangedOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    changed: list[str]
    """The settings that changed (``password_max_age_days`` for the expiry)."""
    consistency_token: str


class PasswordExpiryOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    max_age_days: int | None
    consistency_token: str


class FacilityOut(FacilitySettings, frozen=True, kw_only=True):
    """Every setting of the facility (the contract's ``FacilitySettings``) and its id."""

    facility_id: str
