"""「パスワードを忘れた場合」 end to end through the gateway (issue 15, manual 2.0, decision
0020): five real service processes, a real SMTP server. For both audiences — admins on
/api/v1, remote users on /user-api/v1 — a link mailed to the registered address sets a new
password only with a valid authenticator code (L2); the new password signs in and the old
one does not (L1); the account's sessions end; the link works once. The request answers
the same for an unknown account and queues the same work, and mails nothing. Every step is
in ログインログ, read through the admin API (A1, L4). Expiry: services/identity/tests/
test_recovery.py moves identity's clock instead of waiting 15 minutes."""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pyotp
import pytest

from libs.devservers.smtp import MailCatcher
from libs.devservers.suite import Suite
from libs.testing.servers import SessionServers
from services.identity.bootstrap import add_facility_admin, create_facility
from services.identity.domain.facility import RegisterFacility
from tests.gateway_support import (
    NEW_PASSWORD,
    eventually,
    mailed_link,
    operation_descriptions,
    running_suite,
    walk_sign_in,
)

DOMAIN = "h995.example.jp"
RECOVERED = "Hoshi-no-kage-2027"


@dataclass
class World:
    suite: Suite
    mail: MailCatcher


@pytest.fixture(scope="module")
async def world(
    servers: SessionServers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    with MailCatcher() as mail:
        env = {
            "FUMIDAI_IDENTITY_SMTP_HOST": mail.host,
            "FUMIDAI_IDENTITY_SMTP_PORT": str(mail.port),
        }
        logs = tmp_path_factory.mktemp("recovery-logs")
        async for suite in running_suite(servers, logs, env):
            yield World(suite, mail)


def token_in(link: str, gateway: str, page: str) -> str:
    assert link.startswith(f"{gateway}{page}#token="), link
    return link.rpartition("#token=")[2]


def code_ahead(secret: str) -> str:
    """The next step's code (±1 step is accepted, L2): the sign-in before used this one."""
    return pyotp.TOTP(secret).at(time.time() + 30)


async def outcomes(suite: Suite) -> dict[str, str]:
    """Each request's account → what identity's worker made of it, once all are resolved."""
    conn = await asyncpg.connect(suite.database_url("identity"))
    try:
        rows = await conn.fetch("SELECT account, outcome FROM recovery_requests")
    finally:
        await conn.close()
    return {r["account"]: r["outcome"] for r in rows} if all(r["outcome"] for r in rows) else {}


async def signin_log_has(
    http: httpx.AsyncClient, code: str, expected: set[tuple[str, str, str]]
) -> None:
    """ログインログ, through the admin API, comes to hold each (アカウント, アプリ名, 状態)."""
    seen: set[tuple[str, str, str]] = set()

    async def holds() -> bool:
        answer = await http.get(f"/api/v1/facilities/{code}/logs/signins")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        keys = [c["key"] for c in body["columns"]]
        rows = [dict(zip(keys, r["cells"], strict=True)) for r in body["rows"]]
        seen.clear()
        seen.update((r["account"], r["app"], r["status"]) for r in rows)
        return expected <= seen

    assert await eventually(holds, 15.0), f"missing {expected - seen} in {seen}"


async def test_l1_l2_admin_forgot_password_link_code_sessions_end_log_same_answer(
    world: World,
) -> None:
    suite, mail = world.suite, world.mail
    url = suite.url("gateway")
    identity = suite.database_url("identity")
    first = await create_facility(
        identity,
        RegisterFacility(
            code="995",
            name="995-Test Hospital",
            domain=DOMAIN,
            admin_name="admin01",
            admin_display_name="佐藤 一郎",
            admin_email="ichiro@h995.example.jp",
        ),
        operator="pytest-operator",
    )
    second = await add_facility_admin(
        identity, "995", "admin02", "山田 花子", "hanako@h995.example.jp", "pytest-operator"
    )
    totp: dict[str, str] = {}
    base = "/api/v1/session/password-recovery"
    async with (
        httpx.AsyncClient(base_url=url, timeout=60) as ichiro,
        httpx.AsyncClient(base_url=url, timeout=60) as anon,
    ):
        await walk_sign_in(
            ichiro,
            "/api/v1/session",
            {"account": first.admin_account, "password": first.initial_password},
            totp,
            first.initial_second_password,
        )
        unknown = f"995-nobody@{DOMAIN}"
        answers = [
            await anon.post(base, json={"account": account})
            for account in (unknown, second.account, first.admin_account)
        ]
        assert {a.status_code for a in answers} == {202}
        assert answers[0].content == answers[1].content == answers[2].content
        assert "送信しました" in answers[0].json()["message"]
        # The same work queued for each: one request row, resolved by identity's worker.
        assert await eventually(lambda: outcomes(suite), 15.0) == {
            unknown: "unknown_account",
            second.account: "mfa_not_enrolled",  # never signed in: no authenticator
            first.admin_account: "link_sent",
        }
        sent = await mailed_link(mail, "ichiro@h995.example.jp")
        await asyncio.sleep(0.5)
        assert [m.rcpt_tos for m in mail.received] == [("ichiro@h995.example.jp",)]
        token = token_in(sent, url, "/reset-password")

        opened = await anon.post(f"{base}/link", json={"token": token})
        assert opened.status_code == 200, opened.text
        assert opened.json()["account"] == first.admin_account
        assert opened.json()["role"] == "admin"

        wrong = await anon.post(
            f"{base}/new-password",
            json={"token": token, "code": "000000", "new_password": RECOVERED},
        )
        assert wrong.status_code == 401 and wrong.json()["code"] == "recovery_totp_invalid"
        assert wrong.headers["content-type"].startswith("application/problem+json")
        done = await anon.post(
            f"{base}/new-password",
            json={"token": token, "code": code_ahead(totp["secret"]), "new_password": RECOVERED},
        )
        assert done.status_code == 200, done.text
        again = await anon.post(
            f"{base}/new-password",
            json={"token": token, "code": code_ahead(totp["secret"]), "new_password": RECOVERED},
        )
        assert again.status_code == 410 and again.json()["code"] == "recovery_link_used"

        # A recovered account may have been stolen: its sessions end.
        async def session_ended() -> bool:
            return (await ichiro.get("/api/v1/session")).status_code == 401

        assert await eventually(session_ended), "the session outlived the recovery"
        old = await anon.post(
            "/api/v1/session/password",
            json={"account": first.admin_account, "password": NEW_PASSWORD},
        )
        assert old.status_code == 401
        new = await anon.post(
            "/api/v1/session/password",
            json={"account": first.admin_account, "password": RECOVERED},
        )
        assert new.status_code == 200 and new.json()["next_step"] == "totp", new.text

        hanako = httpx.AsyncClient(base_url=url, timeout=60)
        async with hanako:
            await walk_sign_in(
                hanako,
                "/api/v1/session",
                {"account": second.account, "password": second.initial_password},
                {},
                second.initial_second_password,
            )
            tool = "メンテナンスツール"
            await signin_log_has(
                hanako,
                "995",
                {
                    (unknown, tool, "失敗（アカウントが存在しません）"),
                    (second.account, tool, "失敗（多要素認証未登録のためリンク送信なし）"),
                    (first.admin_account, tool, "成功（再設定リンク送信）"),
                    (first.admin_account, tool, "成功（再設定リンク表示）"),
                    (first.admin_account, tool, "失敗（確認コード誤り）"),
                    (first.admin_account, tool, "成功（パスワード再設定完了）"),
                    (first.admin_account, tool, "失敗（使用済みのリンク）"),
                },
            )

            # Like a change of its own password, it is in 操作ログ (A1 beyond).
            async def in_operations() -> list[Any]:
                return await operation_descriptions(hanako, "995", "AdminPasswordRecovered")

            assert await eventually(in_operations) == [
                f"管理者「{first.admin_account}」のパスワードを再設定（パスワードを忘れた場合）"
            ]


async def test_l1_l2_user_forgot_password_on_the_share_page_surface(world: World) -> None:
    suite, mail = world.suite, world.mail
    url = suite.url("gateway")
    created_facility = await create_facility(
        suite.database_url("identity"),
        RegisterFacility(
            code="994",
            name="994-Test Hospital",
            domain="h994.example.jp",
            admin_name="admin01",
            admin_display_name="佐藤 一郎",
            admin_email="ichiro@h994.example.jp",
        ),
        operator="pytest-operator",
    )
    base = "/user-api/v1/session/password-recovery"
    async with (
        httpx.AsyncClient(base_url=url, timeout=60) as admin,
        httpx.AsyncClient(base_url=url, timeout=60) as user_http,
        httpx.AsyncClient(base_url=url, timeout=60) as anon,
    ):
        session = await walk_sign_in(
            admin,
            "/api/v1/session",
            {
                "account": created_facility.admin_account,
                "password": created_facility.initial_password,
            },
            {},
            created_facility.initial_second_password,
        )
        today = date.today()
        made = await admin.post(
            "/api/v1/facilities/994/users",
            json={
                "name": "forgetful",
                "family_name": "山田",
                "email": "forgetful@example.jp",
                "valid_from": today.isoformat(),
                "valid_until": (today + timedelta(days=30)).isoformat(),
            },
            headers={"X-CSRF-Token": session["csrf_token"]},
        )
        assert made.status_code == 201, made.text
        user = made.json()
        totp: dict[str, str] = {}
        signed = await walk_sign_in(
            user_http,
            "/user-api/v1/session",
            {
                "account": user["account"],
                "password": user["initial_password"],
                "app": "ファイル共有",
                "token": True,
            },
            totp,
            user["second_password"],
        )
        bearer = {"Authorization": f"Bearer {signed['session_token']}"}

        asked = await anon.post(base, json={"account": user["account"]})
        assert asked.status_code == 202, asked.text
        sent = await mailed_link(mail, "forgetful@example.jp")
        token = token_in(sent, url, "/share/reset-password")
        opened = await anon.post(f"{base}/link", json={"token": token})
        assert opened.status_code == 200 and opened.json()["role"] == "user", opened.text
        weak = await anon.post(
            f"{base}/new-password",
            json={"token": token, "code": code_ahead(totp["secret"]), "new_password": "short"},
        )
        assert weak.status_code == 400 and weak.json()["code"] == "password_length"
        done = await anon.post(
            f"{base}/new-password",
            json={"token": token, "code": code_ahead(totp["secret"]), "new_password": RECOVERED},
        )
        assert done.status_code == 200, done.text

        async def session_ended() -> bool:
            return (await user_http.get("/user-api/v1/session", headers=bearer)).status_code == 401

        assert await eventually(session_ended), "the user's session outlived the recovery"
        old = await anon.post(
            "/user-api/v1/session/password",
            json={"account": user["account"], "password": NEW_PASSWORD, "app": "ファイル共有"},
        )
        assert old.status_code == 401
        new = await anon.post(
            "/user-api/v1/session/password",
            json={"account": user["account"], "password": RECOVERED, "app": "ファイル共有"},
        )
        assert new.status_code == 200 and new.json()["next_step"] == "totp", new.text
        share = "ファイル共有"
        await signin_log_has(
            admin,
            "994",
            {
                (user["account"], share, "成功（再設定リンク送信）"),
                (user["account"], share, "成功（再設定リンク表示）"),
                (user["account"], share, "失敗（パスワードポリシー不適合）"),
                (user["account"], share, "成功（パスワード再設定完了）"),
            },
        )


async def test_recovery_requests_are_limited_json_from_this_site_only(
    world: World,
) -> None:
    url = world.suite.url("gateway")
    account = f"995-flood@{DOMAIN}"
    async with httpx.AsyncClient(base_url=url, timeout=60) as anon:
        codes = [
            (await anon.post("/api/v1/session/password-recovery", json={"account": account}))
            for _ in range(6)
        ]
        assert [c.status_code for c in codes] == [202] * 5 + [429]
        assert codes[5].json()["code"] == "too_many_attempts"
        big = await anon.post(
            "/api/v1/session/password-recovery",
            content=b'{"account": "' + b"a" * 5000 + b'"}',
            headers={"content-type": "application/json"},
        )
        assert big.status_code == 413
        bad = await anon.post("/api/v1/session/password-recovery", json={"account": ""})
        assert bad.status_code == 400
        # As the sign-in steps (decision 0029): JSON from this site only.
        form = await anon.post(
            "/user-api/v1/session/password-recovery",
            content=b'{"account": "995-form@h995.example.jp"}',  # a form posting JSON text
            headers={"content-type": "text/plain"},
        )
        assert form.status_code == 415 and form.json()["code"] == "json_required"
        elsewhere = await anon.post(
            "/user-api/v1/session/password-recovery/link",
            json={"token": "x"},
            headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
        )
        assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "cross_site_sign_in"
