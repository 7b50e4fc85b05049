"""Who is on the other end of a request: the peer, or what a trusted proxy says it is."""

import functools
import ipaddress
from typing import Any

from litestar import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=64)
def _networks(trusted_proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """Addresses and CIDR ranges (``10.0.0.0/8``) as networks; a malformed entry is
    left out rather than trusting more than was meant."""
    networks = []
    for entry in trusted_proxies:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def trusts(peer: str, trusted_proxies: tuple[str, ...]) -> bool:
    """True when ``peer`` is one of ``trusted_proxies`` (addresses or CIDR ranges)."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in _networks(trusted_proxies))


def source_ip(request: Request[Any, Any, Any], trusted_proxies: tuple[str, ...]) -> str | None:
    """The client address; X-Forwarded-For's first address only when the peer is one of
    ``trusted_proxies`` (anyone else could write the header)."""
    peer = request.client.host if request.client else None
    if peer and trusted_proxies and trusts(peer, trusted_proxies):
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(first))
        except ValueError:
            return peer
    return peer
