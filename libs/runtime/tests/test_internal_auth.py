"""Internal tokens (decision 0027): genuine ones pass at the service they name; forged,
tampered, expired, misaddressed and wrongly issued ones do not."""

import pytest

from libs.runtime.internal_auth import Claims, InvalidToken, Verifier, issue, sign
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
