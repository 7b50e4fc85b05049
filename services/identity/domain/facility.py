"""The facility aggregate (SPEC T1): registration and its settings."""

import ipaddress
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from libs.events.catalogue.identity import FacilityRegistered
from services.identity.domain.errors import invalid

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


def check_code(code: str) -> str:
    if not _CODE.fullmatch(code):
        raise invalid("code", "facility_code_invalid")
    return code


def register(cmd: RegisterFacility) -> FacilityRegistered:
    """The event of a valid registration; raise a field error otherwise."""
    check_code(cmd.code)
    name = cmd.name.strip()
    if not 1 <= len(name) <= 64 or not name.isprintable():
        raise invalid("name", "facility_name_invalid")
    if not _DOMAIN.fullmatch(cmd.domain):
        raise invalid("domain", "facility_domain_invalid")
    try:
        ZoneInfo(cmd.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise invalid("time_zone", "facility_time_zone_invalid") from error
    if not 1 <= cmd.download_period_months <= 12:
        raise invalid("download_period_months", "facility_download_period_invalid")
    networks = []
    for cidr in cmd.internal_networks:
        try:
            networks.append(str(ipaddress.ip_network(cidr, strict=False)))
        except ValueError as error:
            raise invalid("internal_networks", "facility_network_invalid") from error
    return FacilityRegistered(
        code=cmd.code,
        name=name,
        domain=cmd.domain.lower(),
        time_zone=cmd.time_zone,
        download_period_months=cmd.download_period_months,
        internal_networks=tuple(networks),
    )
