"""The facility aggregate (SPEC T1): registration and its settings, changed later by
operators (issue 15) with the same rules."""

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from libs.events.catalogue.credentials import FacilityPasswordExpirySet
from libs.events.catalogue.identity import (
    FacilityRegistered,
    FacilitySettingsChanged,
    FacilitySettingValues,
)
from libs.runtime.refusals import DomainError, FieldProblem
from services.identity.domain.errors import field_problem, invalid, rejected
from services.identity.domain.user_profile import check_email

NETWORKS_MAX = 100
"""Internal networks a facility may list: a hospital has a handful; more is a mistake."""
NOTIFY_MAX = 10
"""Notification addresses a facility may list (its admins' own addresses come besides)."""
DOWNLOAD_PERIOD_MONTHS = (1, 12)

_CODE = re.compile(r"^[0-9]{3}$")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


@dataclass(frozen=True)
class RegisterFacility:
    """Command: an operator registers a facility with its first admin."""

    code: str
    name: str
    domain: str
    admin_name: str
    time_zone: str = "Asia/Tokyo"
    admin_display_name: str | None = None
    """The first admin's 氏名; the CLI requires it (None: registered the older way, the
    admin shows its name part until it has one)."""
    admin_email: str | None = None
    """The first admin's address; the CLI requires it (None as for the name)."""
    download_period_months: int = 3
    internal_networks: tuple[str, ...] = ()
    notification_addresses: tuple[str, ...] = ()


def check_code(code: str) -> str:
    if not _CODE.fullmatch(code):
        raise invalid("code", "facility_code_invalid")
    return code


def check_name(value: str) -> str:
    name = value.strip()
    if not 1 <= len(name) <= 64 or not name.isprintable():
        raise invalid("name", "facility_name_invalid")
    return name


def check_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise invalid("time_zone", "facility_time_zone_invalid") from error
    return value


def check_download_period(value: int) -> int:
    low, high = DOWNLOAD_PERIOD_MONTHS
    # bool is an int to Python, not a number of months to an operator.
    if isinstance(value, bool) or not low <= value <= high:
        raise invalid("download_period_months", "facility_download_period_invalid")
    return value


def check_networks(values: Sequence[str]) -> tuple[str, ...]:
    """CIDRs in their network form (``10.1.2.3/8`` → ``10.0.0.0/8``), each once, in order."""
    if len(values) > NETWORKS_MAX:
        raise invalid("internal_networks", "facility_networks_too_many")
    networks: dict[str, None] = {}
    for cidr in values:
        try:
            networks[str(ipaddress.ip_network(cidr.strip(), strict=False))] = None
        except ValueError as error:
            raise invalid("internal_networks", "facility_network_invalid") from error
    return tuple(networks)


def check_notification_addresses(values: Sequence[str]) -> tuple[str, ...]:
    """Addresses as a user's or admin's (U1), each once ignoring case, at most NOTIFY_MAX."""
    addresses: dict[str, str] = {}
    for value in values:
        try:
            address = check_email(value)
        except DomainError as error:  # the problem names the address at fault
            raise rejected(
                [field_problem("notification_addresses", error.code, value.strip())]
            ) from error
        addresses.setdefault(address.lower(), address)
    if len(addresses) > NOTIFY_MAX:
        raise invalid("notification_addresses", "facility_notify_too_many")
    return tuple(addresses.values())


def register(cmd: RegisterFacility) -> FacilityRegistered:
    """The event of a valid registration; raise a field error otherwise."""
    check_code(cmd.code)
    name = check_name(cmd.name)
    if not _DOMAIN.fullmatch(cmd.domain):
        raise invalid("domain", "facility_domain_invalid")
    return FacilityRegistered(
        code=cmd.code,
        name=name,
        domain=cmd.domain.lower(),
        time_zone=check_time_zone(cmd.time_zone),
        download_period_months=check_download_period(cmd.download_period_months),
        internal_networks=check_networks(cmd.internal_networks),
        notification_addresses=check_notification_addresses(cmd.notification_addresses),
    )


PASSWORD_MAX_AGE_DAYS = (1, 3650)


def check_password_expiry(days: int | None, field: str = "max_age_days") -> int | None:
    """Days a password lasts (L1), or None: never expires."""
    low, high = PASSWORD_MAX_AGE_DAYS
    if days is not None and (isinstance(days, bool) or not low <= days <= high):
        raise invalid(field, "password_expiry_invalid")
    return days


@dataclass(frozen=True)
class FacilitySettings:
    """A facility's settings as identity holds them now."""

    name: str
    time_zone: str
    download_period_months: int
    internal_networks: tuple[str, ...]
    notification_addresses: tuple[str, ...]
    password_max_age_days: int | None = None


@dataclass(frozen=True)
class PasswordExpiry:
    """A new password expiry: ``max_age_days`` days, or None: never."""

    max_age_days: int | None


@dataclass(frozen=True)
class ChangeFacilitySettings:
    """Command: an operator changes settings of facility ``code``; None leaves one as it
    is, an empty tuple clears a list."""

    code: str
    name: str | None = None
    time_zone: str | None = None
    download_period_months: int | None = None
    internal_networks: tuple[str, ...] | None = None
    notification_addresses: tuple[str, ...] | None = None
    password_expiry: PasswordExpiry | None = None


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": check_name,
    "time_zone": check_time_zone,
    "download_period_months": check_download_period,
    "internal_networks": check_networks,
    "notification_addresses": check_notification_addresses,
}
"""The settings ``FacilitySettingsChanged`` carries, each with its check."""


def change_settings(
    current: FacilitySettings, cmd: ChangeFacilitySettings
) -> list[FacilitySettingsChanged | FacilityPasswordExpirySet]:
    """The events of a valid change, holding only the settings that really change:
    ``FacilitySettingsChanged`` and, for the password expiry, its own event (L1).

    Every given setting is checked and every problem reported at once. A change that
    names no setting, or only settings already so, is refused: an event that changes
    nothing would tell the log and every follower something that did not happen.
    """
    problems: list[FieldProblem] = []
    changed: dict[str, Any] = {}
    for setting, check in _CHECKS.items():
        given = getattr(cmd, setting)
        if given is None:
            continue
        try:
            value = check(given)
        except DomainError as error:
            problems.extend(error.errors)
            continue
        if value != getattr(current, setting):
            changed[setting] = value
    events: list[FacilitySettingsChanged | FacilityPasswordExpirySet] = []
    if cmd.password_expiry is not None:
        try:
            days = check_password_expiry(cmd.password_expiry.max_age_days, "password_max_age_days")
        except DomainError as error:
            problems.extend(error.errors)
        else:
            if days != current.password_max_age_days:
                events.append(FacilityPasswordExpirySet(max_age_days=days))
    if problems:
        raise rejected(problems)
    if changed:
        previous = FacilitySettingValues(**{name: getattr(current, name) for name in changed})
        events.insert(0, FacilitySettingsChanged(code=cmd.code, **changed, previous=previous))
    if not events:
        raise rejected([field_problem("settings", "facility_settings_unchanged")])
    return events
