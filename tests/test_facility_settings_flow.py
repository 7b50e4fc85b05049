"""Facility settings change on a running suite (SPEC T1, L1; issue 15): an operator runs
``./fumidai facility set`` (a subprocess, as on a server) and the change shows through the
public APIs without a restart — the admin's header and 施設情報, connection decisions
across the new zone's midnight, log periods in the new zone, the 操作ログ, and password
expiry at the next sign-in. Five real services behind the real gateway."""

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from fumidai_cli.reference_agent.client import AgentClient
from libs.devservers.suite import Suite
from libs.testing.servers import SessionServers
from tests.gateway_support import (
    NEW_PASSWORD,
    Admin,
    eventually,
    operation_descriptions,
    register,
    running_suite,
    sign_in_admin,
)

ROOT = Path(__file__).resolve().parent.parent
MAC = "AA-BB-CC-DD-EE-02"


@dataclass
class World:
    suite: Suite
    admin: Admin


@pytest.fixture(scope="module")
async def world(
    servers: SessionServers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    async for suite in running_suite(servers, tmp_path_factory.mktemp("settings-logs")):
        _, account, password, second = await register(suite, "998")
        admin = await sign_in_admin(suite.url("gateway"), "998", account, password, second)
        yield World(suite, admin)
        await admin.http.aclose()


async def fumidai(world: World, *args: str) -> tuple[int, str, str]:
    """``./fumidai facility …`` as an operator runs it, on the suite's identity database."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fumidai_cli",
        "facility",
        *args[:2],  # the action and the facility's code, then its options
        "--database-url",
        world.suite.database_url("identity"),
        *args[2:],
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def facility(admin: Admin) -> dict[str, object]:
    answer = await admin.get("")
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


async def test_t1_every_setting_changed_by_the_cli_shows_on_facility_info_and_header(
    world: World,
) -> None:
    admin = world.admin
    before = await facility(admin)
    assert before == {
        "code": "998",
        "name": "998-Test Hospital",
        "domain": "h998.example.jp",
        "time_zone": "Asia/Tokyo",
        "download_period_months": 3,
        "internal_networks": [],
        "notification_addresses": [],
        "password_max_age_days": None,
        "federation_targets": [],
    }
    code, out, err = await fumidai(
        world, "set", "998", "--name", "998-新病院", "--download-period-months", "6",
        "--internal-network", "10.20.0.0/16", "--notify-address", "desk@h998.example.jp",
    )  # fmt: skip
    assert code == 0, err
    assert "name" in out
    assert (await fumidai(world, "targets", "998", "add", "Box"))[0] == 0

    async def changed() -> object:
        return (await facility(admin))["name"] == "998-新病院"

    assert await eventually(changed)
    after = await facility(admin)
    assert after == {
        **before,
        "name": "998-新病院",
        "download_period_months": 6,
        "internal_networks": ["10.20.0.0/16"],
        "notification_addresses": ["desk@h998.example.jp"],
        "federation_targets": [{"name": "Box", "retired": False}],
    }
    session = await admin.http.get("/api/v1/session")
    assert session.status_code == 200, session.text
    assert session.json()["facility_name"] == "998-新病院"  # the console's header
    code, out, _ = await fumidai(world, "show", "998")
    assert code == 0 and "998-新病院" in out and "10.20.0.0/16" in out and "Box" in out


async def test_t1_validation_errors_of_facility_set_are_clear(world: World) -> None:
    code, _, err = await fumidai(
        world, "set", "998", "--time-zone", "Mars/Base", "--notify-address", "not-an-address"
    )
    assert code == 1
    assert "time_zone: タイムゾーンが正しくありません。" in err
    assert "notification_addresses: メールアドレスの形式が正しくありません。" in err
    code, _, err = await fumidai(world, "set", "998")
    assert code == 1 and "facility_settings_unchanged" in err
    code, _, err = await fumidai(world, "set", "998", "--download-period-months", "13")
    assert code == 1 and "ダウンロード期間は1〜12か月で指定してください。" in err
    code, _, err = await fumidai(world, "set", "996", "--name", "996-X")
    assert code == 1 and "facility_not_found" in err


def zone_across_midnight(now: datetime) -> tuple[str, str]:
    """A zone whose date differs from Tokyo's now, and which end of a user's validity that
    crosses: Pago Pago (UTC-11) is a day behind until 20:00 in Tokyo, Kiritimati (UTC+14)
    a day ahead from 19:00."""
    if now.astimezone(ZoneInfo("Asia/Tokyo")).hour < 20:
        return "Pacific/Pago_Pago", "valid_from"
    return "Pacific/Kiritimati", "valid_until"


async def test_t1_c1_a_decision_and_the_logs_follow_a_changed_time_zone(world: World) -> None:
    admin = world.admin
    now = datetime.now(UTC)
    zone, edge = zone_across_midnight(now)
    today = now.astimezone(ZoneInfo("Asia/Tokyo")).date()
    terminal = await admin.send("POST", "/terminals", json={"name": "踏み台端末TZ"})
    assert terminal.status_code == 201, terminal.text
    terminal_id = terminal.json()["terminal"]["terminal_id"]
    validity = {"valid_from": today - timedelta(days=1), "valid_until": today + timedelta(days=30)}
    validity[edge] = today  # valid today in Tokyo only, at one end
    created = await admin.send(
        "POST",
        "/users",
        json={
            "name": "tz.user",
            "family_name": "時差",
            "email": "tz@example.jp",
            **{key: day.isoformat() for key, day in validity.items()},
            "macs": [MAC],
            "terminals": [terminal_id],
        },
        headers={"X-Fumidai-Consistency": terminal.json()["consistency_token"]},
    )
    assert created.status_code == 201, created.text
    account = created.json()["account"]
    issued = await admin.send("POST", f"/terminals/{terminal_id}/credentials")
    assert issued.status_code == 201, issued.text
    agent = AgentClient(world.suite.url("gateway"), issued.json()["token"])
    try:

        async def reason_is(wanted: str | None) -> object:
            return (await agent.authorize(account, MAC)).reason == wanted

        assert await eventually(lambda: reason_is(None), timeout=15)  # today in Tokyo
        code, _, err = await fumidai(world, "set", "998", "--time-zone", zone)
        assert code == 0, err
        refused = "not_yet_valid" if edge == "valid_from" else "expired"
        assert await eventually(lambda: reason_is(refused)), f"{zone}: still {today}?"
    finally:
        await agent.aclose()

    async def log_zone() -> object:
        answer = await admin.get("/logs/signins", params={"period": "7d"})
        return answer.json()["time_zone"] == zone

    assert await eventually(log_zone)  # periods and times in the new zone
    text = f"施設の設定を変更（タイムゾーン: Asia/Tokyo → {zone}）"

    async def logged() -> object:
        return text in await operation_descriptions(admin.http, "998", "FacilitySettingsChanged")

    assert await eventually(logged)


async def test_l1_password_expiry_set_by_the_cli_applies_at_the_next_sign_in(
    world: World,
) -> None:
    """The admin changed its password at first sign-in; it is made 40 days old (the suite's
    clock cannot be moved), then expiry is set to 30 days and back to never."""
    admin = world.admin
    conn = await asyncpg.connect(world.suite.database_url("identity"))
    try:
        await conn.execute(
            """UPDATE admin_credentials SET password_changed_at = now() - interval '40 days'
               WHERE admin_id = (SELECT owner_id FROM accounts WHERE account_key = lower($1))""",
            admin.account,
        )
    finally:
        await conn.close()

    async def first_step() -> str:
        async with httpx.AsyncClient(base_url=world.suite.url("gateway"), timeout=30) as http:
            answer = await http.post(
                "/api/v1/session/password",
                json={"account": admin.account, "password": NEW_PASSWORD},
            )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["next_step"])

    assert await first_step() == "totp"  # no expiry yet (the default)
    code, _, err = await fumidai(world, "set", "998", "--password-expiry-days", "30")
    assert code == 0, err
    assert await first_step() == "new_password"
    assert (await facility(admin))["password_max_age_days"] == 30
    code, _, err = await fumidai(world, "set", "998", "--password-expiry-days", "never")
    assert code == 0, err
    assert await first_step() == "totp"
    descriptions = await operation_descriptions(admin.http, "998", "FacilityPasswordExpirySet")
    assert descriptions[:2] == [
        "パスワードの有効期間を無期限に設定",
        "パスワードの有効期間を30日に設定",
    ]
