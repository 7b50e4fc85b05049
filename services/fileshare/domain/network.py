"""院内外 (SPEC F2): inside or outside the facility's networks, from a source address."""

import ipaddress
from collections.abc import Iterable

from libs.events.catalogue.fileshare import Direction


def direction(source_ip: str | None, internal_networks: Iterable[str]) -> Direction:
    """``inside`` when ``source_ip`` is in one of the networks; an unknown or malformed
    address counts as ``outside`` (the side that needs more care)."""
    if not source_ip:
        return "outside"
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return "outside"
    for cidr in internal_networks:
        network = ipaddress.ip_network(cidr, strict=False)
        if address.version == network.version and address in network:
            return "inside"
    return "outside"
