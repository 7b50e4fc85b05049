"""Who is on the other end of a request: the peer, or what a trusted proxy says it is."""

import functools
import ipaddress
from typing import Any

from litestar.connection import ASGIConnection

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


def client_address(
    peer: str | None, forwarded: str, trusted_proxies: tuple[str, ...]
) -> str | None:
    """The client behind ``peer``: X-Forwarded-For read from the right, each trusted proxy
    skipped, the first address no trusted proxy owns is the client.

    Proxies append the address they saw, so only the right end is written by proxies we
    trust; whatever is further left came from the client, which can write anything there.
    A malformed entry ends the walk at the last proxy that passed it on.
    """
    if not peer or not trusted_proxies or not trusts(peer, trusted_proxies):
        return peer
    client = peer
    for entry in reversed(forwarded.split(",")):
        try:
            hop = str(ipaddress.ip_address(entry.strip()))
        except ValueError:
            return client
        client = hop
        if not trusts(hop, trusted_proxies):
            return hop
    return client


def source_ip(
    request: ASGIConnection[Any, Any, Any, Any], trusted_proxies: tuple[str, ...]
) -> str | None:
    """The client address: the peer, or when the peer is one of ``trusted_proxies`` what
    they say in X-Forwarded-For (``client_address``)."""
    peer = request.client.host if request.client else None
    # Several X-Forwarded-For lines are one list in order (RFC 9110 5.3): a proxy that adds
    # its own line instead of appending to the client's leaves the client's line first, so
    # reading only the first line would believe the client.
    forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
    return client_address(peer, forwarded, trusted_proxies)
