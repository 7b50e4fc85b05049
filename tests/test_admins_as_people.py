"""Issue 15's admins as people, end to end through the gateway (five real services): an
admin registered with its name (氏名) is named so in the session answer (the console's
header); an operator adds a second admin; disabling one with a live session ends the
session at once (the next request is 401) and refuses its sign-in as a wrong password is
refused (L4); enabled again, it signs in. The operator's actions are in 操作ログ (T4)."""

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pyotp
import pytest

from libs.devservers.suite import Suite
from libs.testing.servers import SessionServers
from services.identity.bootstrap import add_facility_admin, create_facility, switch_admin
from services.identity.domain.facility import RegisterFacility
from tests.gateway_support import (
    NEW_PASSWORD,
    eventually,
    operation_descriptions,
    running_suite,
    walk_sign_in,
)

DOMAIN = "h996.example.jp"


@pytest.fixture
async def suite(
    servers: SessionServers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    async for running in running_suite(servers, tmp_path_factory.mktemp("admins-logs")):
        yield running


async def test_t4_l4_admins_as_people_named_in_the_session_disabled_ends_it_enabled_again(
    suite: Suite,
) -> None:
    url = suite.url("gateway")
    identity = suite.database_url("identity")
    first = await create_facility(
        identity,
        RegisterFacility(
            code="996",
            name="996-Test Hospital",
            domain=DOMAIN,
            admin_name="admin01",
            admin_display_name="佐藤 一郎",
            admin_email="ichiro@h996.example.jp",
        ),
        operator="pytest-operator",
    )
    second = await add_facility_admin(
        identity, "996", "admin02", "山田 花子", "hanako@h996.example.jp", "pytest-operator"
    )
    totp: dict[str, str] = {}
    async with (
        httpx.AsyncClient(base_url=url, timeout=60) as ichiro,
        httpx.AsyncClient(base_url=url, timeout=60) as hanako,
    ):
        signed = await walk_sign_in(
            ichiro,
            "/api/v1/session",
            {"account": first.admin_account, "password": first.initial_password},
            {},
            first.initial_second_password,
        )
        # The done step's session and GET /api/v1/session both name the admin (the header).
        assert signed["display_name"] == "佐藤 一郎"
        session = (await ichiro.get("/api/v1/session")).json()
        assert (session["display_name"], session["facility_name"]) == (
            "佐藤 一郎",
            "996-Test Hospital",
        )
        await walk_sign_in(
            hanako,
            "/api/v1/session",
            {"account": second.account, "password": second.initial_password},
            totp,
            second.initial_second_password,
        )
        assert (await hanako.get("/api/v1/session")).json()["display_name"] == "山田 花子"

        disabled = await switch_admin(identity, second.account, "pytest-operator", disabled=True)
        assert disabled.disabled

        async def ended() -> bool:
            return (await hanako.get("/api/v1/session")).status_code == 401

        assert await eventually(ended), "the disabled admin's session lived on"
        listed = await hanako.get("/api/v1/facilities/996/users")
        assert listed.status_code == 401
        # The other admin's session is untouched.
        assert (await ichiro.get("/api/v1/session")).status_code == 200

        right = await hanako.post(
            "/api/v1/session/password", json={"account": second.account, "password": NEW_PASSWORD}
        )
        wrong = await hanako.post(
            "/api/v1/session/password",
            json={"account": second.account, "password": "Not-the-password-1"},
        )
        assert right.status_code == wrong.status_code == 401
        assert right.json() == wrong.json()  # no more than a wrong password tells

        await switch_admin(identity, second.account, "pytest-operator", disabled=False)
        again = await hanako.post(
            "/api/v1/session/password", json={"account": second.account, "password": NEW_PASSWORD}
        )
        assert again.status_code == 200, again.text
        assert again.json()["next_step"] == "totp"
        # The enrolment's code was accepted once already: the next step's is within ±1.
        code = pyotp.TOTP(totp["secret"]).at(time.time() + 30)
        handle = again.json()["handle"]
        step = await hanako.post("/api/v1/session/totp", json={"handle": handle, "code": code})
        assert step.status_code == 200 and step.json()["next_step"] == "second_password"
        done = await hanako.post(
            "/api/v1/session/second-password",
            json={"handle": handle, "second_password": second.initial_second_password},
        )
        assert done.status_code == 200 and done.json()["next_step"] == "done", done.text
        assert (await hanako.get("/api/v1/session")).status_code == 200

        async def logged() -> list[Any]:
            return [
                *await operation_descriptions(ichiro, "996", "AdminDisabled"),
                *await operation_descriptions(ichiro, "996", "AdminEnabled"),
            ]

        async def both_logged() -> list[Any] | None:
            rows = await logged()
            return rows if len(rows) == 2 else None

        async def refusal_logged() -> bool:
            # ログインログ keeps the real reason the answer did not tell (L4).
            answer = await ichiro.get("/api/v1/facilities/996/logs/signins")
            assert answer.status_code == 200, answer.text
            body = answer.json()
            columns = [c["key"] for c in body["columns"]]
            states = [
                row["cells"][columns.index("status")]
                for row in body["rows"]
                if row["cells"][columns.index("account")] == second.account
            ]
            return any("無効化された管理者" in str(state) for state in states)

        assert await eventually(refusal_logged), "the disabled admin's attempt is not logged"
        assert await eventually(both_logged) == [
            f"管理者「{second.account}」を無効化",
            f"管理者「{second.account}」を再有効化",
        ]
