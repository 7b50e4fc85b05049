"""Who is on the other end of a request: the peer, or what a trusted proxy says it is."""

import ipaddress
from typing import Any

from litestar import Request


def source_ip(request: Request[Any, Any, Any], trusted_proxies: tuple[str, ...]) -> str | None:
    """The client address; X-Forwarded-For's first address only when the peer is one of
    ``trusted_proxies`` (anyone else could write the header)."""
    peer = request.client.host if request.client else None
    if peer and peer in trusted_proxies:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(first))
        except ValueError:
            return peer
    return peer
