"""Issue 16's gateway holes, each through the public surface of five real services:
client addresses behind a proxy (item 4), login CSRF (item 5)."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp
import pytest

from libs.devservers.suite import Suite
from libs.testing.servers import SessionServers
from tests.gateway_support import (
    NEW_PASSWORD,
    Admin,
    eventually,
    register,
    running_suite,
    sign_in_admin,
)


@dataclass
class World:
    suite: Suite
    url: str


@pytest.fixture(scope="module")
async def world(
    servers: SessionServers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    # The tests' own address plays the ingress in front of the gateway.
    env = {"FUMIDAI_GATEWAY_TRUSTED_PROXIES": "127.0.0.1"}
    async for suite in running_suite(servers, tmp_path_factory.mktemp("security-logs"), env):
        yield World(suite, suite.url("gateway"))


async def new_admin(world: World, code: str) -> tuple[Admin, str, str]:
    """A signed-in admin of a new facility; its account and second password."""
    _, account, password, second = await register(world.suite, code)
    admin = await sign_in_admin(world.url, code, account, password, second)
    return admin, account, second


def column(body: dict[str, Any], key: str, row: dict[str, Any]) -> Any:
    keys = [c["key"] for c in body["columns"]]
    return row["cells"][keys.index(key)]


async def test_issue16_4_a_forged_forwarded_for_is_not_the_clients_address(world: World) -> None:
    """The client writes ``X-Forwarded-For: 6.6.6.6``; the ingress appends the address it
    saw. The login log shows the one the ingress saw, not the forged one."""
    admin, account, _ = await new_admin(world, "961")
    async with httpx.AsyncClient(base_url=world.url, timeout=30) as http:
        wrong = await http.post(
            "/api/v1/session/password",
            json={"account": account, "password": "not-the-password"},
            headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"},
        )
    assert wrong.status_code == 401, wrong.text

    async def logged_from() -> list[str]:
        body = (await admin.get("/logs/signins")).json()
        failures = [r for r in body["rows"] if r["result"] == "failure"]
        return [column(body, "ip", r) for r in failures]

    assert await eventually(logged_from, timeout=15) == ["203.0.113.7"]
    await admin.http.aclose()


async def test_issue16_4_hsts_only_when_served_over_https(world: World) -> None:
    """HSTS goes with Secure cookies (decision 0028): this suite is told it is on plain
    http (``FUMIDAI_GATEWAY_COOKIE_SECURE=false``), so it pins no browser to HTTPS, and its
    sign-in cookie is not Secure (a browser would never send it back over http). Told
    nothing, the gateway sends HSTS: services/gateway/tests/test_sessions.py."""
    async with httpx.AsyncClient(base_url=world.url, timeout=30) as http:
        for path in ("/health/live", "/api/v1/openapi.json", "/"):
            answer = await http.get(path)
            assert "strict-transport-security" not in answer.headers, path
        _, account, password, _ = await register(world.suite, "963")
        step = await http.post(
            "/api/v1/session/password", json={"account": account, "password": password}
        )
    assert step.status_code == 200, step.text
    cookie = step.headers["set-cookie"]
    assert cookie.startswith("fumidai_signin=") and "secure" not in cookie.lower(), cookie


async def begin_sign_in(http: httpx.AsyncClient, account: str, password: str) -> dict[str, Any]:
    """Step 1 in ``http`` (the attacker's own browser), up to the second password."""
    answer = await http.post(
        "/api/v1/session/password", json={"account": account, "password": password}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    totp: dict[str, str] = {}
    while body["next_step"] != "second_password":
        if body["next_step"] == "new_password":
            payload: dict[str, Any] = {"new_password": NEW_PASSWORD}
        else:
            if body["next_step"] == "totp_enrol":
                totp["secret"] = body["enrolment"]["secret"]
            payload = {"code": pyotp.TOTP(totp["secret"]).now()}
        answer = await http.post(body["next_path"], json={"handle": body["handle"], **payload})
        assert answer.status_code == 200, answer.text
        body = answer.json()
    return body


async def test_issue16_5_a_page_elsewhere_cannot_sign_a_victim_into_the_attackers_account(
    world: World,
) -> None:
    """The attacker walks its own account up to the last step, then has the victim's
    browser post that step (a form: ``text/plain``, from the attacker's site). Refused
    three ways; each lock alone refuses it; the victim's browser gets no session."""
    _, account, password, second = await register(world.suite, "962")
    async with (
        httpx.AsyncClient(base_url=world.url, timeout=30) as attacker,
        httpx.AsyncClient(base_url=world.url, timeout=30) as victim,
    ):
        due = await begin_sign_in(attacker, account, password)
        last = {"handle": due["handle"], "second_password": second}
        form = json.dumps(last)
        attempts = [
            # The attack as a page can make it: a text/plain form from another site.
            {
                "content": form,
                "headers": {
                    "Content-Type": "text/plain",
                    "Origin": "https://evil.example",
                    "Sec-Fetch-Site": "cross-site",
                },
            },
            {"content": form, "headers": {"Content-Type": "text/plain"}},
            {"json": last, "headers": {"Origin": "https://evil.example"}},
            {"json": last, "headers": {"Sec-Fetch-Site": "cross-site"}},
            # Even as this site's own JSON: the victim's browser did not begin this sign-in.
            {"json": last, "headers": {"Sec-Fetch-Site": "same-origin"}},
        ]
        for attempt in attempts:
            answer = await victim.post(due["next_path"], **attempt)
            assert answer.status_code in (403, 415), (attempt, answer.text)
        assert "fumidai_session" not in victim.cookies
        # The browser that began it finishes it: the refusals did not spend the handle.
        done = await attacker.post(
            due["next_path"],
            json=last,
            headers={"Origin": world.url, "Sec-Fetch-Site": "same-origin"},
        )
        assert done.status_code == 200, done.text
        assert done.json()["next_step"] == "done" and "fumidai_session" in attacker.cookies
        assert "fumidai_signin" not in attacker.cookies  # spent with the sign-in


async def test_issue16_7_an_attacker_on_one_address_cannot_lock_the_owner_out_L4(
    world: World,
) -> None:
    """SPEC L4 as decided in 0031, through the gateway behind a proxy: the attacker types
    the admin's predictable account with wrong passwords (more than the gateway's own
    per-account limit); the attacker's address is locked out, the owner from another
    address signs in, and 操作ログ tells the facility's admins of the lock."""
    admin, account, _ = await new_admin(world, "964")
    attacker = {"X-Forwarded-For": "198.51.100.66"}
    async with httpx.AsyncClient(base_url=world.url, timeout=30) as http:
        answers = [
            await http.post(
                "/api/v1/session/password",
                json={"account": account, "password": f"Wrong-password-{n}"},
                headers=attacker,
            )
            for n in range(25)
        ]
    assert [a.status_code for a in answers[:5]] == [401] * 4 + [423]
    assert {a.status_code for a in answers[5:]} <= {423, 429}

    # The owner, from elsewhere: signs in (the session's address is the proxy's client).
    async with httpx.AsyncClient(
        base_url=world.url, timeout=30, headers={"X-Forwarded-For": "203.0.113.7"}
    ) as owner:
        started = await owner.post(
            "/api/v1/session/password", json={"account": account, "password": NEW_PASSWORD}
        )
        assert started.status_code == 200, started.text

    async def told() -> list[Any]:
        body = (await admin.get("/logs/operations")).json()
        rows = [r for r in body["rows"] if r["action"] == "AccountLocked"]
        return [(column(body, "description", r), column(body, "ip", r)) for r in rows]

    assert await eventually(told, timeout=15) == [
        (
            f"アカウント「{account}」を接続元IPアドレスからのログインについて15分間ロック"
            "（この接続元から連続5回失敗）",
            "198.51.100.66",
        )
    ]
    await admin.http.aclose()
