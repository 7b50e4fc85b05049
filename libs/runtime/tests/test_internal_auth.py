"""Internal tokens: genuine ones pass; forged, tampered and expired ones do not."""

import time

import pytest

from libs.runtime.internal_auth import Claims, InvalidToken, issue, sign, verify

SECRET = "s3cret-for-tests"


def test_a_fresh_token_verifies_with_its_claims() -> None:
    token = issue(SECRET, sub="998-admin@x.example", role="admin", facility="998", ip="10.0.0.1")
    claims = verify(token, SECRET)
    assert (claims.sub, claims.role, claims.facility, claims.ip) == (
        "998-admin@x.example",
        "admin",
        "998",
        "10.0.0.1",
    )
    assert claims.may_act_in("998") and not claims.may_act_in("997")


def test_operators_act_in_every_facility() -> None:
    claims = verify(issue(SECRET, sub="ops", role="operator", facility="*"), SECRET)
    assert claims.may_act_in("998") and claims.may_act_in("001")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t + "x",
        lambda t: t.replace(".", ".A", 1),
        lambda t: "e30." + t.split(".")[1],
        lambda t: "",
        lambda t: "no-dot-at-all",
    ],
)
def test_tampered_tokens_are_refused(mangle) -> None:  # type: ignore[no-untyped-def]
    token = issue(SECRET, sub="a", role="admin", facility="998")
    with pytest.raises(InvalidToken):
        verify(mangle(token), SECRET)


def test_another_key_or_no_key_is_refused() -> None:
    token = issue(SECRET, sub="a", role="admin", facility="998")
    with pytest.raises(InvalidToken):
        verify(token, "other")
    with pytest.raises(InvalidToken):
        verify(token, "")


def test_expired_tokens_are_refused() -> None:
    token = sign(Claims(sub="a", role="admin", facility="998", exp=time.time() - 1), SECRET)
    with pytest.raises(InvalidToken, match="expired"):
        verify(token, SECRET)
