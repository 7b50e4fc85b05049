"""One correlation id from the gateway's answer through identity's event into audit's
projection, in every log line on the way, and access logs that keep no secret (issue 17,
decision 0045). Five real service processes; their JSON logs are read from the files the
suite writes."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from libs.devservers.smtp import MailCatcher
from libs.devservers.suite import SERVICES, Suite
from libs.testing.fileshare_fixtures import ClamdServer
from libs.testing.servers import SessionServers
from services.identity.bootstrap import create_facility
from services.identity.domain.facility import RegisterFacility
from tests.gateway_support import (
    NEW_PASSWORD,
    Admin,
    eventually,
    mailed_link,
    post_user_share,
    running_suite,
    sharing_env,
    user_ready_to_share,
    walk_sign_in,
)

CODE = "993"
DOMAIN = "h993.example.jp"
EMAIL = "ichiro@h993.example.jp"


@dataclass
class World:
    suite: Suite
    mail: MailCatcher


@pytest.fixture(scope="module")
async def world(
    servers: SessionServers,
    tmp_path_factory: pytest.TempPathFactory,
    clamd_server: ClamdServer,
) -> AsyncIterator[World]:
    with MailCatcher() as mail:
        env = {
            **sharing_env(clamd_server.host, clamd_server.port, mail.host, mail.port),
            "FUMIDAI_IDENTITY_SMTP_HOST": mail.host,
            "FUMIDAI_IDENTITY_SMTP_PORT": str(mail.port),
            # audit writes a debug line per event it applies, the gateway one per console file.
            "FUMIDAI_AUDIT_LOG_LEVEL": "debug",
            "FUMIDAI_GATEWAY_LOG_LEVEL": "debug",
        }
        logs = tmp_path_factory.mktemp("correlation-logs")
        async for suite in running_suite(servers, logs, env):
            yield World(suite, mail)


@dataclass
class Signed:
    admin: Admin
    secrets: list[str]


@pytest.fixture(scope="module")
async def signed(world: World) -> AsyncIterator[Signed]:
    """The facility's first admin, signed in (password, new password, TOTP, second password)."""
    created = await create_facility(
        world.suite.database_url("identity"),
        RegisterFacility(
            code=CODE,
            name=f"{CODE}-Test Hospital",
            domain=DOMAIN,
            admin_name="admin01",
            admin_email=EMAIL,
        ),
        operator="pytest-operator",
    )
    totp: dict[str, str] = {}
    http = httpx.AsyncClient(base_url=world.suite.url("gateway"), timeout=60)
    session = await walk_sign_in(
        http,
        "/api/v1/session",
        {"account": created.admin_account, "password": created.initial_password},
        totp,
        created.initial_second_password,
    )
    admin = Admin(
        http, CODE, created.admin_account, session["csrf_token"], http.cookies["fumidai_session"]
    )
    secrets = [
        created.initial_password,
        created.initial_second_password,
        NEW_PASSWORD,
        totp["secret"],
        admin.token,
        admin.csrf,
    ]
    try:
        yield Signed(admin, secrets)
    finally:
        await http.aclose()


def log_lines(suite: Suite, service: str) -> list[dict[str, Any]]:
    text = (suite.log_dir / f"{service}.log").read_text()
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def new_user(name: str) -> dict[str, Any]:
    today = date.today()
    return {
        "name": name,
        "family_name": "山田",
        "email": f"{name}@example.jp",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "file_share": "approval",
    }


async def test_one_request_id_through_the_gateway_identity_and_audit(
    world: World, signed: Signed
) -> None:
    suite = world.suite
    created = await signed.admin.send(
        "POST", "/users", json=new_user("taro"), headers={"X-Request-Id": "chosen-by-client"}
    )
    assert created.status_code == 201, created.text
    request_id = created.headers["x-request-id"]
    assert request_id != "chosen-by-client"  # the client is no trusted proxy

    conn = await asyncpg.connect(suite.database_url("identity"))
    try:
        payload = await conn.fetchval(
            "SELECT payload FROM events WHERE type = 'UserCreated.v1' ORDER BY position DESC"
        )
    finally:
        await conn.close()
    assert json.loads(payload)["correlation_id"] == request_id

    def named(service: str) -> list[dict[str, Any]]:
        return [x for x in log_lines(suite, service) if x.get("correlation_id") == request_id]

    [outer] = [x for x in named("gateway") if x["event"] == "request"]
    assert outer["route"] == "/api/v1/facilities/{code}/users" and outer["status"] == 201
    assert (outer["method"], outer["role"], outer["service"]) == ("POST", "admin", "gateway")
    inner = [x for x in named("identity") if x["event"] == "request"]
    assert [(x["method"], x["status"], x["role"]) for x in inner] == [("POST", 201, "admin")]

    async def applied_in_audit() -> list[dict[str, Any]]:
        return [
            x
            for x in named("audit")
            if x["event"] == "event_applied" and x["type"] == "UserCreated.v1"
        ]

    assert await eventually(applied_in_audit, 15.0), "audit's handling does not name the id"


async def test_sign_in_recovery_and_download_leave_no_secret_in_the_logs(
    world: World, signed: Signed
) -> None:
    suite, admin = world.suite, signed.admin
    secrets = list(signed.secrets)
    url = suite.url("gateway")
    made = await admin.send("POST", "/users", json=new_user("hanako"))
    assert made.status_code == 201, made.text
    user = made.json()
    secrets += [user["initial_password"], user["second_password"]]

    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        bearer = await user_ready_to_share(http, user)
        secrets.append(bearer["Authorization"].split()[1])

        async def shared() -> httpx.Response | None:
            # fileshare learns of the user from identity's events: soon, not at once.
            answer = await post_user_share(http, bearer, "結果.txt", b"ok\n" * 100, "共有")
            return answer if answer.status_code != 404 else None

        uploaded = await eventually(shared, 15.0)
        assert uploaded is not None and uploaded.status_code == 201, uploaded
        share_id = uploaded.json()["share_id"]

        base = "/api/v1/session/password-recovery"
        asked = await http.post(base, json={"account": admin.account})
        assert asked.status_code == 202, asked.text
        link = await mailed_link(world.mail, EMAIL)
        token = link.rpartition("#token=")[2]
        secrets.append(token)
        opened = await http.post(f"{base}/link", json={"token": token})
        assert opened.status_code == 200, opened.text

    async def awaiting() -> object:
        items = (await admin.get("/shares/approvals")).json()["items"]
        return [s for s in items if s["share_id"] == share_id]

    assert await eventually(awaiting, timeout=30), "the share never reached the 承認 tab"
    approved = await admin.send("POST", f"/shares/{share_id}/approve")
    assert approved.status_code == 200, approved.text
    file_id = approved.json()["files"][0]["file_id"]

    async def mailed_under_the_approval() -> list[dict[str, Any]]:
        # fileshare's mail consumer sends under the ShareApproved event's correlation.
        return [
            x
            for x in log_lines(suite, "fileshare")
            if x["event"] == "mail_sent"
            and x.get("correlation_id") == approved.headers["x-request-id"]
        ]

    assert await eventually(mailed_under_the_approval, 30.0), "the mail does not name the approval"
    download = await admin.get(f"/shares/{share_id}/files/{file_id}")
    assert download.status_code == 200

    downloaded = "/api/v1/facilities/{code}/shares/{share_id}/files/{file_id}"

    async def logged() -> list[dict[str, Any]]:
        # A streamed answer's line is written once the app returns, just after the
        # client has read the last byte.
        lines = [x for x in log_lines(suite, "gateway") if x["event"] == "request"]
        return lines if any(x["route"] == downloaded for x in lines) else []

    gateway = await eventually(logged, 5.0)
    routes = {x["route"] for x in gateway}
    assert "/api/v1/session/password" in routes
    assert f"{base}/link" in routes
    assert downloaded in routes
    assert all(line["client"] == "127.0.0.1" for line in gateway)
    for service in SERVICES:
        written = (suite.log_dir / f"{service}.log").read_text()
        leaked = [s for s in secrets if s in written]
        assert leaked == [], f"{service}'s log holds {len(leaked)} secret(s)"


async def test_an_agents_request_keeps_the_gateways_id_in_terminals(
    world: World, signed: Signed
) -> None:
    """The agent API is relayed without an internal token; terminals believes the id
    because the gateway is its trusted proxy (as it believes the agent's address)."""
    suite, admin = world.suite, signed.admin
    terminal = await admin.send("POST", "/terminals", json={"name": "踏み台端末09"})
    assert terminal.status_code == 201, terminal.text
    terminal_id = terminal.json()["terminal"]["terminal_id"]
    issued = await admin.send("POST", f"/terminals/{terminal_id}/credentials")
    assert issued.status_code == 201, issued.text
    async with httpx.AsyncClient(base_url=suite.url("gateway"), timeout=30) as agent:
        answer = await agent.get(
            "/agent/v1/terminal", headers={"Authorization": f"Bearer {issued.json()['token']}"}
        )
    assert answer.status_code == 200, answer.text
    request_id = answer.headers["x-request-id"]

    async def logged() -> list[dict[str, Any]]:
        # terminals writes its line once its answer has ended: the gateway may have
        # relayed it to the agent a moment before.
        return [
            x
            for x in log_lines(suite, "terminals")
            if x["event"] == "request" and x.get("correlation_id") == request_id
        ]

    [inner] = await eventually(logged, 5.0)
    assert (inner["route"], inner["status"]) == ("/agent/v1/terminal", 200)
    assert issued.json()["token"] not in (suite.log_dir / "terminals.log").read_text()


async def test_export_jobs_run_under_the_request_that_queued_them(
    world: World, signed: Signed
) -> None:
    """A background job keeps the id of the request that queued it (its row's
    ``correlation_id``): the worker's lines of identity's CSV export and of audit's full
    export name the answered ``X-Request-Id``."""
    suite, admin = world.suite, signed.admin
    users = await admin.send("POST", "/jobs/user-export")
    assert users.status_code == 202, users.text
    logs = await admin.send("POST", "/logs/operations/exports", json={})
    assert logs.status_code == 202, logs.text

    def worked(service: str, event: str, answer: httpx.Response, job_id: str) -> Any:
        async def lines() -> list[dict[str, Any]]:
            return [
                x
                for x in log_lines(suite, service)
                if x["event"] == event
                and x.get("job_id") == job_id
                and x.get("correlation_id") == answer.headers["x-request-id"]
            ]

        return eventually(lines, 30.0)

    assert await worked("identity", "job_started", users, users.json()["job_id"])
    assert await worked("identity", "job_done", users, users.json()["job_id"])
    assert await worked("audit", "export_done", logs, logs.json()["id"])


async def test_the_console_answers_under_an_id_with_one_quiet_access_line(world: World) -> None:
    """The console's files are served inside the gateway's request ids and access lines: a
    page load leaves one debug line per file (route ``console``, never the path)."""
    suite = world.suite
    async with httpx.AsyncClient(base_url=suite.url("gateway"), timeout=30) as http:
        answers = [await http.get("/users/123/edit"), await http.get("/assets/missing-Zz9.js")]
    assert answers[1].status_code == 404
    for answer in answers:

        async def accessed(request_id: str = answer.headers["x-request-id"]) -> Any:
            return [
                x
                for x in log_lines(suite, "gateway")
                if x["event"] == "request" and x.get("correlation_id") == request_id
            ]

        [line] = await eventually(accessed, 5.0)
        assert (line["route"], line["level"], line["status"]) == (
            "console",
            "debug",
            answer.status_code,
        )
