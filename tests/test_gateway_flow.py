"""The whole story through the gateway only (five real services, real agent, real clamd):
an admin signs in with TOTP, creates a user with a terminal, the reference agent connects
the user, the session shows in the log, the admin force-closes it and the agent
acknowledges; the user shares a file, the admin approves and downloads it; every step is
in the logs."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest

from fumidai_cli.reference_agent.client import AgentClient
from fumidai_cli.reference_agent.runner import JumpHostAgent
from libs.devservers.smtp import MailCatcher
from libs.testing.fileshare_fixtures import ClamdServer
from libs.testing.servers import SessionServers
from services.fileshare.tests.samples import encrypted_zip
from tests.gateway_support import (
    eventually,
    post_user_share,
    register,
    running_suite,
    sharing_env,
    sign_in_admin,
    sign_in_user,
    user_ready_to_share,
)

MAC = "AA-BB-CC-DD-EE-01"
CONTENT = "検査結果: 問題なし\n".encode() * 100


@pytest.fixture
async def gateway_url(
    servers: SessionServers,
    tmp_path_factory: pytest.TempPathFactory,
    clamd_server: ClamdServer,
    mail_catcher: MailCatcher,
) -> AsyncIterator[tuple[str, object]]:
    env = sharing_env(clamd_server.host, clamd_server.port, "127.0.0.1", mail_catcher.port)
    async for suite in running_suite(servers, tmp_path_factory.mktemp("flow-logs"), env):
        yield suite.url("gateway"), suite


async def test_full_flow_through_the_gateway(gateway_url: tuple[str, object]) -> None:
    url, suite = gateway_url
    _, account, password, second = await register(suite, "998")  # type: ignore[arg-type]
    admin = await sign_in_admin(url, "998", account, password, second)  # L1–L3 with TOTP

    # A terminal and a user assigned to it, each one request (K2, U2).
    terminal = await admin.send("POST", "/terminals", json={"name": "踏み台端末01"})
    assert terminal.status_code == 201, terminal.text
    terminal_id = terminal.json()["terminal"]["terminal_id"]
    today = date.today()
    created = await admin.send(
        "POST",
        "/users",
        json={
            "name": "taro.yamada",
            "family_name": "山田",
            "given_name": "太郎",
            "email": "taro@example.jp",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=60)).isoformat(),
            "macs": [MAC],
            "terminals": [terminal_id],
            "file_share": "approval",
        },
        headers={"X-Fumidai-Consistency": terminal.json()["consistency_token"]},
    )
    assert created.status_code == 201, created.text
    user = created.json()
    listed = await admin.get("/users", params={"account": "taro"})
    assert [t["name"] for t in listed.json()["items"][0]["terminals"]] == ["998-踏み台端末01"]

    # The reference agent, through the gateway's /agent/v1 (C1, C4).
    issued = await admin.send("POST", f"/terminals/{terminal_id}/credentials")
    assert issued.status_code == 201, issued.text
    client = AgentClient(url, issued.json()["token"])
    agent = JumpHostAgent(client, poll_wait=5.0)
    await agent.start()
    try:

        async def connected() -> object:
            decision, live = await agent.connect(user["account"], MAC)
            return live if decision.allowed else None

        live = await eventually(connected, timeout=15)  # terminals projects the user first
        assert live is not None, "the agent was refused"

        log = await admin.get("/logs/connections")
        rows = [r for r in log.json()["rows"] if r.get("session_id") == live.session_id]
        if not rows:

            async def in_log() -> object:
                page = (await admin.get("/logs/connections")).json()["rows"]
                return [r for r in page if r.get("session_id") == live.session_id]

            rows = await eventually(in_log)
        assert rows and rows[0]["live"] is True

        closed = await admin.send(
            "POST",
            f"/sessions/{live.session_id}/force-close",
            json={"reason": "点検のため"},
        )
        assert closed.status_code == 200, closed.text
        assert closed.json()["session"]["state"] == "force_closed"

        async def acknowledged() -> object:
            return live.session_id in agent.state.cut

        assert await eventually(acknowledged, timeout=5)

        async def ack_recorded() -> object:
            found = (await admin.get(f"/sessions/{live.session_id}")).json()
            return found.get("close_acknowledged_at")

        assert await eventually(ack_recorded, timeout=5)
    finally:
        await agent.stop()
        await client.aclose()

    # The user shares a file after the second password (F1, F7), through /user-api/v1.
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        session = await sign_in_user(http, user)
        bearer = {"Authorization": f"Bearer {session['session_token']}"}
        refused = await http.get("/user-api/v1/shares", headers=bearer)
        assert refused.status_code == 403  # no second password yet in this session
        verified = await http.post(
            "/user-api/v1/second-password",
            json={"second_password": user["second_password"]},
            headers=bearer,
        )
        assert verified.status_code == 200, verified.text
        uploaded = await post_user_share(http, bearer, "結果.txt", CONTENT, "検査データの共有")
        assert uploaded.status_code == 201, uploaded.text
        share_id = uploaded.json()["share_id"]

    async def awaiting() -> object:
        items = (await admin.get("/shares/approvals")).json()["items"]
        return [s for s in items if s["share_id"] == share_id]

    pending = await eventually(awaiting, timeout=30)
    assert pending, "the share never reached the 承認 tab"
    approved = await admin.send("POST", f"/shares/{share_id}/approve")
    assert approved.status_code == 200, approved.text
    file_id = approved.json()["files"][0]["file_id"]
    download = await admin.get(f"/shares/{share_id}/files/{file_id}")
    assert download.status_code == 200
    assert download.content == CONTENT

    # Every step in the logs (A1).
    async def fileshare_log() -> object:
        rows = (await admin.get("/logs/fileshare")).json()["rows"]
        mine = [r for r in rows if r["share_id"] == share_id]
        return mine if any(r["action"] == "download" for r in mine) else None

    assert await eventually(fileshare_log, timeout=10), "the download is not in the log"
    wanted = {"TerminalCreated", "UserCreated", "SessionForceClosed"}

    async def operations_logged() -> object:
        # Each context's events reach audit on their own stream: wait for all three.
        rows = (await admin.get("/logs/operations")).json()["rows"]
        actions = {r["action"] for r in rows if r["actor_id"] == account}
        return actions if wanted <= actions else None

    assert await eventually(operations_logged, timeout=15), "an admin change is not logged"

    async def signins_logged() -> object:
        rows = (await admin.get("/logs/signins")).json()["rows"]
        apps = {r["app"] for r in rows if r["result"] == "success"}
        return apps if apps >= {"メンテナンスツール", "ファイル共有"} else None

    assert await eventually(signins_logged, timeout=15), "a sign-in is not logged"
    await asyncio.sleep(0)
    await admin.http.aclose()


async def test_an_unscannable_archive_is_refused_through_both_apis_F1(
    gateway_url: tuple[str, object],
) -> None:
    """A password-protected zip, sent by a user through /user-api/v1 and by an admin to that
    user through /api/v1 (F8): refused with its reason, and nothing shared either way."""
    url, suite = gateway_url
    _, account, password, second = await register(suite, "998")  # type: ignore[arg-type]
    admin = await sign_in_admin(url, "998", account, password, second)
    today = date.today()
    created = await admin.send(
        "POST",
        "/users",
        json={
            "name": "hanako.suzuki",
            "family_name": "鈴木",
            "email": "hanako@example.jp",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=60)).isoformat(),
            "file_share": "always",
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    archive = encrypted_zip("患者一覧.csv", "氏名,ID\n山田,1\n".encode(), b"secret")
    text = (
        "「患者一覧.zip」はパスワードで保護されているため、ウイルス検査ができず、"
        "アップロードできません。パスワードを解除してからアップロードしてください。"
    )

    def parts(recipient: str | None) -> list[tuple[str, tuple[str | None, bytes | str, str]]]:
        manifest = {
            "purpose": "患者一覧の共有",
            "files": [{"name": "患者一覧.zip", "size": len(archive)}],
            "recipient": recipient,
        }
        return [
            ("manifest", (None, json.dumps(manifest), "application/json")),
            ("file", ("患者一覧.zip", archive, "application/zip")),
        ]

    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        bearer = await user_ready_to_share(http, user)
        refused = await http.post("/user-api/v1/shares", headers=bearer, files=parts(None))
        mine = await http.get("/user-api/v1/shares", headers=bearer)
    given = await admin.send("POST", "/shares", files=parts(user["account"]))
    for answer in (refused, given):
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert (problem["code"], problem["title"]) == ("file_unscannable", text)
        assert problem["errors"] == [
            {"field": "files[0]", "code": "file_encrypted", "message": text}
        ]
    assert mine.status_code == 200 and mine.json()["items"] == []
    assert (await admin.get("/shares")).json()["items"] == []
    await admin.http.aclose()
