"""Events of the identity context: facilities, admins, users and their access profiles."""

import msgspec

from libs.events.catalogue.base import Event


class FacilityRegistered(Event, frozen=True, kw_only=True, tag="FacilityRegistered.v1"):
    """An operator registered a facility (SPEC T1). Aggregate id: the facility's id."""

    context = "identity"
    aggregate = "facility"

    code: str
    """Three-digit facility code, e.g. ``998``."""
    name: str
    """Display name, e.g. ``998-Dev Hospital``."""
    domain: str
    """Account domain, e.g. ``nrasdev.onmicrosoft.com``."""
    time_zone: str = "Asia/Tokyo"
    """IANA time zone used for validity days, hours and log periods."""
    download_period_months: int = 3
    """How long shared files stay downloadable."""
    internal_networks: tuple[str, ...] = ()
    """CIDRs that count as inside the facility (院内)."""
    notification_addresses: tuple[str, ...] = ()
    """Addresses that receive the facility's notices (e.g. a share awaiting approval),
    besides its enabled admins' own addresses."""


class FacilitySettingValues(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Values of a facility's settings; a field that is None is not among them."""

    name: str | None = None
    time_zone: str | None = None
    download_period_months: int | None = None
    internal_networks: tuple[str, ...] | None = None
    notification_addresses: tuple[str, ...] | None = None


class FacilitySettingsChanged(Event, frozen=True, kw_only=True, tag="FacilitySettingsChanged.v1"):
    """An operator changed settings of a facility (SPEC T1, issue 15). One event per
    change; the envelope's actor says who. A field that is None did not change; the
    others hold the new value whole (a list replaces the old list). Password expiry keeps
    its own event (``FacilityPasswordExpirySet``) and the 認証連携先 catalogue its three.
    Aggregate id: the facility's id."""

    context = "identity"
    aggregate = "facility"

    code: str
    """The facility's three-digit code, so followers need not look it up."""
    name: str | None = None
    time_zone: str | None = None
    download_period_months: int | None = None
    internal_networks: tuple[str, ...] | None = None
    notification_addresses: tuple[str, ...] | None = None
    previous: FacilitySettingValues | None = None
    """What the changed settings were before (only those), so the 操作ログ says what
    changed from what without a follower having to remember; None in events written
    before it was carried."""


class FederationTargetAdded(Event, frozen=True, kw_only=True, tag="FederationTargetAdded.v1"):
    """An operator added a target to the facility's 認証連携先 catalogue (SPEC T1, U1).
    A target is known by its name, unique within the facility. Aggregate id: the
    facility's id."""

    context = "identity"
    aggregate = "facility"

    code: str
    name: str


class FederationTargetRenamed(Event, frozen=True, kw_only=True, tag="FederationTargetRenamed.v1"):
    """An operator renamed a catalogued target: users who had ``previous_name`` now have
    ``name``. Aggregate id: the facility's id."""

    context = "identity"
    aggregate = "facility"

    code: str
    previous_name: str
    name: str


class FederationTargetRetired(Event, frozen=True, kw_only=True, tag="FederationTargetRetired.v1"):
    """An operator retired a catalogued target: no user can be given it any more, users
    who had it keep it (readable, removable). Aggregate id: the facility's id."""

    context = "identity"
    aggregate = "facility"

    code: str
    name: str


class AdminCreated(Event, frozen=True, kw_only=True, tag="AdminCreated.v1"):
    """An admin account was created for a facility (SPEC T4). Aggregate id: the admin's id.

    No password or secret travels in the event: the initial password is shown once to the
    operator who created the admin and only its hash is kept, in identity's own tables.
    """

    context = "identity"
    aggregate = "admin"

    facility_id: str
    """The facility's aggregate id."""
    account: str
    """Full account, ``<code>-<name>@<domain>`` (SPEC T2)."""
    name: str
    """The name part the admin types, e.g. ``operation-admin01``."""
    display_name: str = ""
    """The admin's own name (氏名), e.g. ``山田 花子``; empty for admins created before
    admins had one (issue 15)."""
    email: str = ""
    """The admin's own address; empty for admins created before admins had one."""


class AdminDisabled(Event, frozen=True, kw_only=True, tag="AdminDisabled.v1"):
    """An operator disabled an admin (issue 15; never deleted, manual 3.2): it cannot sign
    in and its sessions end at once. Aggregate id: the admin's id."""

    context = "identity"
    aggregate = "admin"

    account: str


class AdminEnabled(Event, frozen=True, kw_only=True, tag="AdminEnabled.v1"):
    """An operator enabled a disabled admin again: it signs in with its credentials as they
    were. Aggregate id: the admin's id."""

    context = "identity"
    aggregate = "admin"

    account: str


IDENTITY_EVENTS: tuple[type[Event], ...] = (
    FacilityRegistered,
    FacilitySettingsChanged,
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
    AdminCreated,
    AdminDisabled,
    AdminEnabled,
)
