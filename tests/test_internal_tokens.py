"""Issue 16 item 2 (decision 0027): internal tokens signed per caller, addressed to one
service, verified with public keys only — against the five real services' HTTP.

What a compromised service (fileshare parses untrusted uploads) can do with internal
tokens: nothing another service accepts. It holds no signing key, and a key of its own
making is nobody's; a token it received (for fileshare) is refused elsewhere.
"""

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from libs.devservers.suite import Suite
from libs.runtime.internal_auth import Claims, issue, sign
from libs.runtime.token_keys import GATEWAY, OPERATOR, SigningKey
from libs.testing.servers import SessionServers
from tests.gateway_support import register, running_suite, sign_in_admin

ROLLED_IN = SigningKey.generate(OPERATOR, "operator-next")
"""Operators' next key, trusted alongside the current one: a key roll under way."""


@pytest.fixture(scope="module")
async def suite(
    servers: SessionServers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    logs = tmp_path_factory.mktemp("tokens-logs")
    async for running in running_suite(servers, logs, also_trusted=(ROLLED_IN.trusted(),)):
        yield running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def facility(code: str) -> dict[str, str]:
    return {"code": code, "name": f"{code}-Token Hospital", "domain": f"t{code}.example.jp"}


async def register_facility(suite: Suite, token: str, code: str) -> httpx.Response:
    """identity's operator route: POST a facility with ``token``."""
    async with httpx.AsyncClient(base_url=suite.url("identity"), timeout=30) as http:
        return await http.post(
            "/internal/v1/operator/facilities",
            json={**facility(code), "admin": "admin01"},
            headers=bearer(token),
        )


def operator_token(key: SigningKey, audience: str = "identity", ttl: float = 60.0) -> str:
    return issue(
        key, audience=audience, sub="pytest-operator", role="operator", facility="*", ttl=ttl
    )


async def test_operators_key_registers_a_facility_at_identity(suite: Suite) -> None:
    answer = await register_facility(suite, operator_token(suite.token_keys[OPERATOR]), "971")
    assert answer.status_code == 201, answer.text


async def test_a_token_signed_with_fileshares_key_is_refused_at_identity(suite: Suite) -> None:
    """Whatever key a compromised fileshare makes, identity does not know it."""
    own = SigningKey.generate("fileshare")
    forged = sign(
        Claims(
            iss="fileshare",
            aud="identity",
            sub="evil",
            role="operator",
            facility="*",
            exp=time.time() + 60,
        ),
        own,
    )
    answer = await register_facility(suite, forged, "972")
    assert answer.status_code == 401, answer.text
    # Nor under the kid of a key identity trusts: the signature gives it away.
    under_operators_kid = SigningKey(OPERATOR, suite.token_keys[OPERATOR].kid, own.private)
    answer = await register_facility(suite, operator_token(under_operators_kid), "972")
    assert answer.status_code == 401, answer.text


async def test_an_operator_token_signed_with_the_gateways_key_is_refused(suite: Suite) -> None:
    """The gateway's key grants admins', users' and agents' roles, never an operator's."""
    answer = await register_facility(suite, operator_token(suite.token_keys[GATEWAY]), "973")
    assert answer.status_code == 401, answer.text


async def test_a_token_for_one_service_is_refused_by_the_others(suite: Suite) -> None:
    """A token fileshare (or terminals) received cannot be replayed to identity."""
    for audience in ("fileshare", "terminals", "audit", "gateway"):
        token = operator_token(suite.token_keys[OPERATOR], audience=audience)
        answer = await register_facility(suite, token, "974")
        assert answer.status_code == 401, (audience, answer.text)


async def test_fileshare_accepts_no_operator_token(suite: Suite) -> None:
    """Nobody acts on fileshare as an operator: it does not even hold operators' key."""
    async with httpx.AsyncClient(base_url=suite.url("fileshare"), timeout=30) as http:
        gateway = issue(
            suite.token_keys[GATEWAY],
            audience="fileshare",
            sub="998-a@x",
            role="admin",
            facility="998",
        )
        answer = await http.get("/internal/v1/facilities/998/shares", headers=bearer(gateway))
        assert answer.status_code == 200, answer.text
        operator = operator_token(suite.token_keys[OPERATOR], audience="fileshare")
        answer = await http.get("/internal/v1/facilities/998/shares", headers=bearer(operator))
        assert answer.status_code == 401, answer.text


async def test_expired_and_unknown_key_tokens_are_refused(suite: Suite) -> None:
    expired = operator_token(suite.token_keys[OPERATOR], ttl=-1)
    assert (await register_facility(suite, expired, "975")).status_code == 401
    stranger = SigningKey.generate(OPERATOR, "operator-unknown")
    assert (await register_facility(suite, operator_token(stranger), "975")).status_code == 401


async def test_during_a_key_roll_both_operator_keys_verify(suite: Suite) -> None:
    answer = await register_facility(suite, operator_token(suite.token_keys[OPERATOR]), "976")
    assert answer.status_code == 201, answer.text
    answer = await register_facility(suite, operator_token(ROLLED_IN), "977")
    assert answer.status_code == 201, answer.text


def environ(process_id: int) -> dict[str, str]:
    raw = Path(f"/proc/{process_id}/environ").read_bytes()
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {key.decode(): value.decode() for key, value in pairs}


async def test_only_the_gateway_holds_a_signing_key(suite: Suite) -> None:
    """A service's environment holds public keys only, of the callers it accepts."""
    gateway_private = suite.token_keys[GATEWAY].text()
    operator_private = suite.token_keys[OPERATOR].text()
    for service, process in suite.processes.items():
        env = environ(process.pid)
        values = "\n".join(env.values())
        assert operator_private not in values, service
        signing = [name for name in env if name.endswith("TOKEN_SIGNING_KEY")]
        if service == "gateway":
            assert env["FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY"] == gateway_private
            continue
        assert signing == [] and gateway_private not in values, service
        trusted = env[f"FUMIDAI_{service.upper()}_TOKEN_TRUSTED_KEYS"].split(",")
        issuers = sorted({key.split(":", 1)[0] for key in trusted})
        assert issuers == (["gateway"] if service == "fileshare" else ["gateway", "operator"])


async def test_the_gateway_reaches_every_service_with_tokens_for_each(suite: Suite) -> None:
    """Sign-in (identity), users (identity), terminals, logs (audit), shares (fileshare)."""
    _, account, password, second = await register(suite, "978")
    admin = await sign_in_admin(suite.url("gateway"), "978", account, password, second)
    try:
        for path in ("/users", "/terminals", "/logs/operations", "/shares"):
            answer = await admin.get(path)
            assert answer.status_code == 200, (path, answer.text)
    finally:
        await admin.http.aclose()
