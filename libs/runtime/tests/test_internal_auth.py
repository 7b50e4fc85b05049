"""Internal tokens (decision 0027): genuine ones pass at the service they name; forged,
tampered, expired, misaddressed and wrongly issued ones do not."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from libs.runtime.internal_auth import Claims, InvalidToken, Issuer, Verifier, issue, sign
from libs.runtime.token_keys import (
    GATEWAY,
    OPERATOR,
    MalformedKey,
    SigningKey,
    TrustedKey,
    main,
    trusted_keys,
)

GATEWAY_KEY = SigningKey.generate(GATEWAY, "gw-1")
OPERATOR_KEY = SigningKey.generate(OPERATOR, "op-1")
FILESHARE_KEY = SigningKey.generate("fileshare", "fs-1")
"""What a compromised service could hold at best: a key of its own, which nobody trusts."""


def verifier(audience: str = "identity", *keys: SigningKey) -> Verifier:
    chosen = keys or (GATEWAY_KEY, OPERATOR_KEY)
    return Verifier(audience, {key.kid: key.trusted() for key in chosen})


def admin_token(key: SigningKey = GATEWAY_KEY, audience: str = "identity") -> str:
    return issue(key, audience=audience, sub="998-a@x.example", role="admin", facility="998")


def test_a_fresh_token_verifies_with_its_claims() -> None:
    token = issue(
        GATEWAY_KEY,
        audience="identity",
        sub="998-admin@x.example",
        role="admin",
        facility="998",
        ip="10.0.0.1",
    )
    claims = verifier().verify(token)
    assert (claims.iss, claims.aud, claims.sub, claims.role, claims.facility, claims.ip) == (
        "gateway",
        "identity",
        "998-admin@x.example",
        "admin",
        "998",
        "10.0.0.1",
    )
    assert claims.may_act_in("998") and not claims.may_act_in("997")


def test_operators_act_in_every_facility() -> None:
    token = issue(OPERATOR_KEY, audience="identity", sub="ops", role="operator", facility="*")
    claims = verifier().verify(token)
    assert claims.may_act_in("998") and claims.may_act_in("001")


def test_a_token_for_one_service_is_refused_by_another() -> None:
    token = admin_token(audience="fileshare")
    assert verifier("fileshare").verify(token).aud == "fileshare"
    with pytest.raises(InvalidToken, match="another service"):
        verifier("identity").verify(token)


def test_a_key_nobody_trusts_is_refused_whatever_it_claims() -> None:
    """A compromised fileshare signing operator tokens for identity: unknown key."""
    forged = sign(
        Claims(iss="fileshare", aud="identity", sub="x", role="operator", facility="*", exp=2e9),
        FILESHARE_KEY,
    )
    with pytest.raises(InvalidToken, match="unknown key"):
        verifier().verify(forged)


def test_a_trusted_key_id_with_another_key_behind_it_is_refused() -> None:
    """fileshare's key under the gateway's key id: the signature does not match."""
    impostor = SigningKey(GATEWAY, GATEWAY_KEY.kid, FILESHARE_KEY.private)
    with pytest.raises(InvalidToken, match="bad signature"):
        verifier().verify(admin_token(impostor))


def test_only_operators_key_grants_the_operator_role() -> None:
    as_operator = issue(GATEWAY_KEY, audience="identity", sub="x", role="operator", facility="*")
    with pytest.raises(InvalidToken, match="role"):
        verifier().verify(as_operator)
    as_admin = issue(OPERATOR_KEY, audience="identity", sub="x", role="admin", facility="998")
    with pytest.raises(InvalidToken, match="role"):
        verifier().verify(as_admin)


def test_the_issuer_is_the_keys_not_the_tokens_word() -> None:
    """A token naming issuer ``operator`` signed by a trusted gateway key is refused."""
    claims = Claims(iss=OPERATOR, aud="identity", sub="x", role="operator", facility="*", exp=2e9)
    lying = SigningKey(OPERATOR, GATEWAY_KEY.kid, GATEWAY_KEY.private)
    with pytest.raises(InvalidToken, match="issuer"):
        verifier().verify(sign(claims, lying))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t + "x",
        lambda t: t.replace(".", ".A", 1),
        lambda t: "e30." + t.split(".", 1)[1],
        lambda t: t.rsplit(".", 1)[0],
        lambda t: "",
        lambda t: "no-dot-at-all",
        lambda t: "a.b.c.d",
        lambda t: t + "!",
        lambda t: t[:-4] + "+" + t[-3:],
        lambda t: t.replace(".", ".=", 2),
    ],
)
def test_tampered_tokens_are_refused(mangle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidToken):
        verifier().verify(mangle(admin_token()))


def test_a_service_without_the_callers_key_refuses_everything() -> None:
    with pytest.raises(InvalidToken, match="unknown key"):
        verifier("fileshare", GATEWAY_KEY).verify(
            issue(OPERATOR_KEY, audience="fileshare", sub="x", role="operator", facility="*")
        )


def test_expired_tokens_are_refused() -> None:
    claims = Claims(iss=GATEWAY, aud="identity", sub="a", role="admin", facility="998", exp=1.0)
    token = sign(claims, GATEWAY_KEY)
    with pytest.raises(InvalidToken, match="expired"):
        verifier().verify(token)
    assert verifier().verify(token, now=0.5).sub == "a"


def test_during_a_roll_both_keys_of_one_issuer_verify() -> None:
    """Verifiers trust the old and the new key; the caller switches; then the old goes."""
    new = SigningKey.generate(GATEWAY, "gw-2")
    rolling = verifier("identity", GATEWAY_KEY, new)
    assert rolling.verify(admin_token(GATEWAY_KEY)).iss == GATEWAY
    assert rolling.verify(admin_token(new)).iss == GATEWAY
    with pytest.raises(InvalidToken, match="unknown key"):
        verifier("identity", new).verify(admin_token(GATEWAY_KEY))


def test_keys_round_trip_as_text_and_public_text_holds_no_private_key() -> None:
    again = SigningKey.parse(GATEWAY_KEY.text())
    assert again.text() == GATEWAY_KEY.text()
    public = GATEWAY_KEY.trusted().text()
    assert TrustedKey.parse(public).text() == public
    assert GATEWAY_KEY.text().rsplit(":", 1)[1] not in public
    assert verifier("identity", again).verify(admin_token()).sub == "998-a@x.example"


@pytest.mark.parametrize(
    "text",
    ["gateway", "gateway:k1", "gateway:k1:not-base64!", "gateway:k1:AAAA", "GW:k1:" + "A" * 43],
)
def test_malformed_keys_are_refused(text: str) -> None:
    with pytest.raises(MalformedKey):
        trusted_keys([text])


def test_one_key_id_twice_is_refused() -> None:
    other = SigningKey.generate(OPERATOR, GATEWAY_KEY.kid).trusted().text()
    with pytest.raises(MalformedKey, match="twice"):
        trusted_keys([GATEWAY_KEY.trusted().text(), other])


def test_a_key_cannot_sign_for_another_issuer() -> None:
    claims = Claims(iss=OPERATOR, aud="identity", sub="x", role="operator", facility="*", exp=2e9)
    with pytest.raises(ValueError, match="cannot sign"):
        sign(claims, GATEWAY_KEY)


def test_the_key_command_prints_a_pair_that_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "operator", "op-cli"]) == 0
    private, public = (line.split()[-1] for line in capsys.readouterr().out.splitlines())
    key = SigningKey.parse(private)
    token = issue(key, audience="terminals", sub="ops", role="operator", facility="*")
    assert Verifier("terminals", trusted_keys([public])).verify(token).sub == "ops"
    assert main(["new", "Not An Issuer"]) == 2


# A verifier remembers the tokens it accepted; the gateway sends one token again for a
# while (decision 0048).


@dataclass(frozen=True)
class CountingKey(TrustedKey):
    """A trusted key that counts the signatures it checks."""

    checked: list[bytes] = field(default_factory=list)

    def genuine(self, signature: bytes, data: bytes) -> bool:
        self.checked.append(data)
        return super().genuine(signature, data)


def counting(remember: int = 100, audience: str = "identity") -> tuple[Verifier, CountingKey]:
    key = CountingKey(GATEWAY, GATEWAY_KEY.kid, GATEWAY_KEY.private.public_key())
    return Verifier(audience, {key.kid: key}, remember=remember), key


def token_until(exp: float, sub: str = "a") -> str:
    claims = Claims(iss=GATEWAY, aud="identity", sub=sub, role="admin", facility="998", exp=exp)
    return sign(claims, GATEWAY_KEY)


def test_a_token_accepted_once_is_not_checked_again() -> None:
    verifying, key = counting()
    token = admin_token()
    assert [verifying.verify(token).sub for _ in range(3)] == ["998-a@x.example"] * 3
    assert len(key.checked) == 1
    verifying.verify(token_until(2e9))
    assert len(key.checked) == 2


def test_a_remembered_token_still_expires() -> None:
    verifying, key = counting()
    token = token_until(100.0)
    assert verifying.verify(token, now=99.0).sub == "a"
    with pytest.raises(InvalidToken, match="expired"):
        verifying.verify(token, now=100.5)
    with pytest.raises(InvalidToken, match="expired"):
        verifying.verify(token)  # the clock's time
    assert len(key.checked) == 1


def test_refused_tokens_are_never_remembered() -> None:
    """Forged, misaddressed and expired tokens are checked in full every time they come."""
    verifying, key = counting()
    impostor = SigningKey(GATEWAY, GATEWAY_KEY.kid, FILESHARE_KEY.private)
    refused = {
        admin_token(impostor): "bad signature",
        admin_token(audience="terminals"): "another service",
        token_until(1.0): "expired",
    }
    for _ in range(2):
        for token, reason in refused.items():
            with pytest.raises(InvalidToken, match=reason):
                verifying.verify(token)
    assert len(key.checked) == 2 * len(refused)


def test_an_expired_token_refused_once_is_checked_in_full_when_it_could_pass() -> None:
    verifying, key = counting()
    token = token_until(100.0)
    with pytest.raises(InvalidToken, match="expired"):
        verifying.verify(token, now=200.0)
    assert verifying.verify(token, now=50.0).sub == "a"
    assert len(key.checked) == 2


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t + "x",
        lambda t: t.replace(".", ".A", 1),
        lambda t: t.rsplit(".", 1)[0],
        lambda t: t[:-4] + "+" + t[-3:],
        lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1],
        lambda t: t.replace(".", ".=", 2),
        lambda t: " " + t,
    ],
)
def test_tampered_copies_of_a_remembered_token_are_refused(mangle: Callable[[str], str]) -> None:
    verifying, _ = counting()
    token = admin_token()
    verifying.verify(token)
    with pytest.raises(InvalidToken):
        verifying.verify(mangle(token))


def test_the_memory_of_accepted_tokens_is_bounded() -> None:
    verifying, key = counting(remember=2)
    first, second, third = (token_until(2e9, sub) for sub in "abc")
    for token in (first, second, third, third, second):
        verifying.verify(token)
    assert len(key.checked) == 3
    verifying.verify(first)  # the oldest, forgotten when the third came
    assert len(key.checked) == 4


@dataclass(frozen=True)
class CountingSigningKey(SigningKey):
    """A signing key that counts the tokens it signs."""

    signed: list[bytes] = field(default_factory=list)

    def sign(self, data: bytes) -> bytes:
        self.signed.append(data)
        return super().sign(data)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def issuer(clock: Clock, size: int = 100) -> tuple[Issuer, CountingSigningKey]:
    key = CountingSigningKey(GATEWAY, GATEWAY_KEY.kid, GATEWAY_KEY.private)
    return Issuer(key, clock=clock, size=size), key


def admin(issuing: Issuer, **change: Any) -> str:
    """The token ``issuing`` sends for an admin, or for these other claims."""
    claims: dict[str, Any] = {"audience": "identity", "sub": "a", "role": "admin"}
    return issuing.token(**{**claims, "facility": "998", "ip": "192.0.2.1", **change})


def test_the_issuer_sends_one_token_again_for_fifteen_seconds() -> None:
    clock = Clock(1000.0)
    issuing, key = issuer(clock)
    first = admin(issuing)
    clock.now = 1014.9
    assert admin(issuing) == first
    assert len(key.signed) == 1
    claims = verifier().verify(first, now=1059.0)
    assert (claims.sub, claims.exp) == ("a", 1060.0)
    clock.now = 1015.0
    second = admin(issuing)
    assert second != first and len(key.signed) == 2
    assert verifier().verify(second, now=1074.0).exp == 1075.0


@pytest.mark.parametrize(
    "change",
    [
        {"audience": "terminals"},
        {"sub": "b"},
        {"role": "user"},
        {"facility": "997"},
        {"ip": "192.0.2.2"},
        {"ip": None},
        {"second_password_at": 999.0},
    ],
)
def test_other_claims_get_a_token_of_their_own(change: dict[str, object]) -> None:
    issuing, key = issuer(Clock(1000.0))
    first = admin(issuing)
    other = admin(issuing, **change)
    assert other != first and len(key.signed) == 2
    audience = str(change.get("audience", "identity"))
    claims = verifier(audience).verify(other, now=1000.0)
    assert {name: getattr(claims, "aud" if name == "audience" else name) for name in change} == (
        change
    )
    assert admin(issuing) == first


def test_a_clock_set_back_gets_a_fresh_token() -> None:
    """A token kept from a later time would outlive 60 s from now."""
    clock = Clock(1000.0)
    issuing, _ = issuer(clock)
    first = admin(issuing)
    clock.now = 990.0
    again = admin(issuing)
    assert again != first
    assert verifier().verify(again, now=990.0).exp == 1050.0


def test_the_issuers_memory_is_bounded() -> None:
    issuing, key = issuer(Clock(1000.0), size=1)
    admin(issuing)
    admin(issuing, sub="b")
    admin(issuing)
    assert len(key.signed) == 3


def test_a_token_is_not_reused_beyond_its_life() -> None:
    with pytest.raises(ValueError, match="part of its life"):
        Issuer(GATEWAY_KEY, ttl=60.0, reuse_s=60.0)
