"""Issue 15's recovery of a lost second password, end to end through the gateway (five
real services, real clamd): an admin resets a user's second password, the user shares
again with the new one and the old one is refused, even in a session that had checked it
(F7); an operator resets an admin's, whose session ends and whose next sign-in takes the
new one (L3, T4). Both resets are in 操作ログ without the secret."""

import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pyotp
import pytest

from libs.devservers.smtp import MailCatcher
from libs.devservers.suite import Suite
from libs.testing.fileshare_fixtures import ClamdServer
from libs.testing.servers import SessionServers
from services.identity.bootstrap import reset_admin
from tests.gateway_support import (
    NEW_PASSWORD,
    eventually,
    operation_descriptions,
    post_user_share,
    register,
    running_suite,
    sharing_env,
    sign_in_user,
    walk_sign_in,
)

CONTENT = "再共有のテスト\n".encode() * 50


@pytest.fixture
async def suite(
    servers: SessionServers,
    tmp_path_factory: pytest.TempPathFactory,
    clamd_server: ClamdServer,
    mail_catcher: MailCatcher,
) -> AsyncIterator[Suite]:
    env = sharing_env(clamd_server.host, clamd_server.port, "127.0.0.1", mail_catcher.port)
    async for running in running_suite(servers, tmp_path_factory.mktemp("recovery-logs"), env):
        yield running


async def upload(http: httpx.AsyncClient, bearer: dict[str, str]) -> httpx.Response:
    return await post_user_share(
        http, bearer, "再共有.txt", CONTENT, "第二パスワード再発行後の共有"
    )


async def test_recovery_user_shares_again_with_the_new_second_password_old_refused_F7_U4(
    suite: Suite,
) -> None:
    url = suite.url("gateway")
    _, account, password, second = await register(suite, "998")
    totp: dict[str, str] = {}
    async with (
        httpx.AsyncClient(base_url=url, timeout=60) as admin_http,
        httpx.AsyncClient(base_url=url, timeout=60) as http,
    ):
        session = await walk_sign_in(
            admin_http, "/api/v1/session", {"account": account, "password": password}, totp, second
        )
        csrf = {"X-CSRF-Token": session["csrf_token"]}
        today = date.today()
        created = await admin_http.post(
            "/api/v1/facilities/998/users",
            json={
                "name": "lost.second",
                "family_name": "山田",
                "email": "lost.second@example.jp",
                "valid_from": today.isoformat(),
                "valid_until": (today + timedelta(days=30)).isoformat(),
                "file_share": "always",
            },
            headers=csrf,
        )
        assert created.status_code == 201, created.text
        user = created.json()
        user_id = user["user"]["user_id"]

        signed = await sign_in_user(http, user)
        bearer = {"Authorization": f"Bearer {signed['session_token']}"}
        checked = await http.post(
            "/user-api/v1/second-password",
            json={"second_password": user["second_password"]},
            headers=bearer,
        )
        assert checked.status_code == 200, checked.text
        assert (await http.get("/user-api/v1/shares", headers=bearer)).status_code == 200

        reset = await admin_http.post(
            f"/api/v1/facilities/998/users/{user_id}/second-password-reset", headers=csrf
        )
        assert reset.status_code == 200, reset.text
        new_second = reset.json()["second_password"]
        assert new_second != user["second_password"]

        # The session's check of the old one no longer lets file sharing through …
        async def check_taken_back() -> bool:
            listed = await http.get("/user-api/v1/shares", headers=bearer)
            assert listed.status_code in (200, 403), listed.text
            return listed.status_code == 403

        assert await eventually(check_taken_back), "the old check kept file sharing open"
        assert (await upload(http, bearer)).status_code == 403
        # … while the session itself lives on: the second password is no sign-in factor.
        assert (await http.get("/user-api/v1/session", headers=bearer)).status_code == 200

        old = await http.post(
            "/user-api/v1/second-password",
            json={"second_password": user["second_password"]},
            headers=bearer,
        )
        assert old.status_code == 401 and old.json()["code"] == "second_password_invalid"
        new = await http.post(
            "/user-api/v1/second-password", json={"second_password": new_second}, headers=bearer
        )
        assert new.status_code == 200, new.text
        shared = await upload(http, bearer)
        assert shared.status_code == 201, shared.text
        mine = (await http.get("/user-api/v1/shares", headers=bearer)).json()
        assert shared.json()["share_id"] in [s["share_id"] for s in mine["items"]]

        async def logged() -> list[Any]:
            return await operation_descriptions(admin_http, "998", "UserSecondPasswordReset")

        rows = await eventually(logged)
        assert rows == [f"利用者「{user['account']}」の第二パスワードをリセット"]
        log = await admin_http.get("/api/v1/facilities/998/logs/operations")
        assert new_second not in log.text


async def test_recovery_operator_resets_an_admin_second_password_session_ends_T4_L3(
    suite: Suite,
) -> None:
    url = suite.url("gateway")
    _, account, password, second = await register(suite, "997")
    totp: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        await walk_sign_in(
            http, "/api/v1/session", {"account": account, "password": password}, totp, second
        )
        assert (await http.get("/api/v1/session")).status_code == 200
        done = await reset_admin(
            suite.database_url("identity"),
            account,
            "pytest-operator",
            mfa=False,
            second_password=True,
        )
        assert done.initial_password is None and done.initial_second_password

        async def ended() -> bool:
            return (await http.get("/api/v1/session")).status_code == 401

        assert await eventually(ended), "the admin's session outlived its second password"

    # The next sign-in: the same password and authenticator, the new second password only.
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        first = await http.post(
            "/api/v1/session/password", json={"account": account, "password": NEW_PASSWORD}
        )
        assert first.status_code == 200, first.text
        handle = first.json()["handle"]
        assert first.json()["next_step"] == "totp"
        # The enrolment's code was accepted once already: the next step's is within ±1.
        code = pyotp.TOTP(totp["secret"]).at(time.time() + 30)
        step = await http.post("/api/v1/session/totp", json={"handle": handle, "code": code})
        assert step.status_code == 200 and step.json()["next_step"] == "second_password"
        refused = await http.post(
            "/api/v1/session/second-password", json={"handle": handle, "second_password": second}
        )
        assert refused.status_code == 401, refused.text
        signed = await http.post(
            "/api/v1/session/second-password",
            json={"handle": handle, "second_password": done.initial_second_password},
        )
        assert signed.status_code == 200 and signed.json()["next_step"] == "done", signed.text

        async def logged() -> list[Any]:
            return await operation_descriptions(http, "997", "AdminSecondPasswordReset")

        assert await eventually(logged) == [f"管理者「{account}」の第二パスワードをリセット"]
