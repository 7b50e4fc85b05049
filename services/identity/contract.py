"""What the gateway may know of identity without importing its internals: the limits of
SPEC U1/L1/U6 that the public API documents, and the facility read.

The values are the domain's own, so a limit changed there is documented as changed.
"""

import msgspec

from services.identity.domain.accounts import NAME_MAX as ACCOUNT_NAME_MAX
from services.identity.domain.accounts import NAME_PATTERN as ACCOUNT_NAME_PATTERN
from services.identity.domain.federation import NAME_MAX as FEDERATION_TARGET_NAME_MAX
from services.identity.domain.password_policy import MAX_LENGTH as PASSWORD_MAX
from services.identity.domain.password_policy import MIN_LENGTH as PASSWORD_MIN
from services.identity.domain.user_profile import EMAIL_MAX as USER_EMAIL_MAX
from services.identity.domain.user_profile import FILE_SHARES as FILE_SHARE_CODES
from services.identity.domain.user_profile import MAC_PATTERN
from services.identity.domain.user_profile import MACS_MAX as USER_MACS_MAX
from services.identity.domain.user_profile import NAME_MAX as USER_NAME_MAX
from services.identity.settings import IdentityOwn

__all__ = [
    "ACCOUNT_NAME_MAX",
    "ACCOUNT_NAME_PATTERN",
    "CSV_MAX_BYTES_DEFAULT",
    "CSV_MAX_ROWS_DEFAULT",
    "DATE_PATTERN",
    "FEDERATION_TARGET_NAME_MAX",
    "FILE_SHARE_CODES",
    "HOURS_END_PATTERN",
    "HOURS_START_PATTERN",
    "MAC_PATTERN",
    "PASSWORD_MAX",
    "PASSWORD_MIN",
    "USER_EMAIL_MAX",
    "USER_MACS_MAX",
    "USER_NAME_MAX",
    "AdminProfile",
    "FacilityProfile",
    "FacilitySettings",
    "FederationTarget",
    "FederationTargetList",
]

DATE_PATTERN = r"^[0-9]{4}([/-])[0-9]{1,2}\1[0-9]{1,2}$"
"""``yyyy-mm-dd``, ``yyyy/mm/dd`` or ``yyyy/m/d`` (what ``check_date`` reads)."""
HOURS_START_PATTERN = r"^(0?[0-9]|1[0-9]|2[0-3]):[03]0$"
"""00:00–23:30 on 30-minute steps, ``H:MM`` or ``HH:MM`` (U1)."""
HOURS_END_PATTERN = r"^(0?0:30|0?[1-9]:[03]0|1[0-9]:[03]0|2[0-3]:[03]0|24:00)$"
"""00:30–24:00 on 30-minute steps (U1)."""
CSV_MAX_BYTES_DEFAULT = IdentityOwn().csv_max_bytes
"""The CSV import's size limit unless a deployment sets identity's ``csv_max_bytes``."""
CSV_MAX_ROWS_DEFAULT = IdentityOwn().csv_max_rows
"""The CSV import's row limit unless a deployment sets identity's ``csv_max_rows``."""


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
