"""Which peers' X-Forwarded-For is believed (pure; the services' own tests cover requests)."""

from typing import Any

import pytest
from litestar import Request

from libs.runtime.source_address import client_address, source_ip, trusts


@pytest.mark.parametrize(
    ("peer", "trusted", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1",), True),
        ("127.0.0.2", ("127.0.0.1",), False),
        ("10.1.2.3", ("10.0.0.0/8",), True),
        ("11.1.2.3", ("10.0.0.0/8",), False),
        ("172.20.0.5", ("10.0.0.0/8", "172.16.0.0/12"), True),
        ("::1", ("::1",), True),
        ("::1", ("127.0.0.1",), False),
        ("testclient", ("testclient",), False),  # not an address: never trusted
        ("10.0.0.1", ("not-an-address", "10.0.0.1"), True),  # a bad entry trusts nothing
        ("10.0.0.1", (), False),
    ],
)
def test_trusted_proxies_are_addresses_or_ranges(
    peer: str, trusted: tuple[str, ...], expected: bool
) -> None:
    assert trusts(peer, trusted) is expected


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        # A client writes its own X-Forwarded-For; the ingress appends what it saw: the
        # right end is the truth, the forged left end is ignored (issue 16, item 4).
        ("10.0.0.5", "6.6.6.6, 203.0.113.7", ("10.0.0.0/8",), "203.0.113.7"),
        # Two proxies we trust (a load balancer, then the ingress): both skipped.
        ("10.0.0.5", "6.6.6.6, 203.0.113.7, 10.1.1.1", ("10.0.0.0/8",), "203.0.113.7"),
        ("10.0.0.5", "203.0.113.7", ("10.0.0.0/8",), "203.0.113.7"),
        # Every hop a trusted proxy: the leftmost is the nearest thing to a client.
        ("10.0.0.5", "10.2.2.2, 10.1.1.1", ("10.0.0.0/8",), "10.2.2.2"),
        # Garbage from the right: nobody further left can be believed.
        ("10.0.0.5", "203.0.113.7, junk", ("10.0.0.0/8",), "10.0.0.5"),
        ("10.0.0.5", "", ("10.0.0.0/8",), "10.0.0.5"),
        # The peer is no trusted proxy: its header is nobody's word.
        ("198.51.100.1", "203.0.113.7", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.5", "203.0.113.7", (), "10.0.0.5"),
        ("10.0.0.5", "2001:db8::1", ("10.0.0.0/8",), "2001:db8::1"),
    ],
)
def test_forwarded_for_is_read_from_the_right(
    peer: str, forwarded: str, trusted: tuple[str, ...], expected: str
) -> None:
    assert client_address(peer, forwarded, trusted) == expected


def test_every_forwarded_for_line_is_read_as_one_list() -> None:
    """issue 16 item 4: a proxy that adds its own X-Forwarded-For line (not appending to the
    client's) must not let the client's forged first line be believed."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": [
            (b"x-forwarded-for", b"203.0.113.7"),  # forged by the client
            (b"x-forwarded-for", b"198.51.100.20"),  # added by the trusted proxy
        ],
        "client": ("10.0.0.5", 40000),
        "server": ("127.0.0.1", 8000),
        "scheme": "http",
        "app": None,
    }
    request: Request[Any, Any, Any] = Request(scope)  # type: ignore[arg-type]
    assert source_ip(request, ("10.0.0.0/8",)) == "198.51.100.20"
