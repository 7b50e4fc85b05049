"""Which peers' X-Forwarded-For is believed (pure; the services' own tests cover requests)."""

import pytest

from libs.runtime.source_address import trusts


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
