"""identity's facility and admin reads (SPEC T1, L1; issue 15): what the gateway shows on
施設情報 and in the signed-in admin's header."""

import msgspec


class FacilityProfile(msgspec.Struct, frozen=True, kw_only=True):
    """What the gateway reads of ``GET /internal/v1/facilities/{code}`` (any role of the
    facility may call it; another facility answers 404, T3)."""

    code: str
    name: str
    """The registered name, e.g. ``998-Dev Hospital``."""
    time_zone: str


class AdminProfile(msgspec.Struct, frozen=True, kw_only=True):
    """What the gateway reads of ``GET /internal/v1/admins/me`` (the calling admin)."""

    account: str
    name: str
    """The account's name part."""
    display_name: str | None
    """The admin's 氏名; null for an admin created before admins had one (issue 15)."""


class FederationTarget(msgspec.Struct, frozen=True, kw_only=True):
    """One target of the facility's 認証連携先 catalogue (SPEC T1, U1)."""

    name: str
    """Unique in the facility, ignoring case; what a user's ``federation_targets`` hold."""
    retired: bool
    """Retired by an operator: kept on the users who already hold it (shown, removable),
    never to be given to another user."""


class FederationTargetList(msgspec.Struct, frozen=True, kw_only=True):
    """What ``GET /internal/v1/facilities/{code}/federation-targets`` answers: every
    target, retired ones too, by name."""

    items: list[FederationTarget]


class FacilitySettings(msgspec.Struct, frozen=True, kw_only=True):
    """Every setting of a facility, as ``GET /internal/v1/facilities/{code}`` answers
    (T1, L1; issue 15): what its admins read on 施設情報."""

    code: str
    """施設コード, three digits, e.g. ``998``."""
    name: str
    """施設名, e.g. ``998-Dev Hospital``."""
    domain: str
    """The accounts' domain, ``<code>-<name>@<domain>`` (T2)."""
    time_zone: str
    """IANA time zone of validity days, allowed hours and log periods."""
    download_period_months: int
    """How many months a shared file stays downloadable (1–12)."""
    internal_networks: list[str]
    """CIDRs counted as inside the facility (院内)."""
    notification_addresses: list[str]
    """Where the facility's notices go, besides its enabled admins' own addresses."""
    password_max_age_days: int | None
    """Days a password lasts after its change (L1); null: never."""
    federation_targets: list[FederationTarget]
    """The 認証連携先 catalogue by name, retired ones flagged."""
