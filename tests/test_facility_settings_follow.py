"""Issue 15, end to end (five real services as processes, real clamd and SMTP): fileshare
follows a facility's settings as an operator changes them with ``./fumidai facility set``
on the running suite, without a restart (SPEC T1) — who a user's share is mailed to (F6),
院内外 from the user's address (F2) and a new share's download expiry (F7)."""

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from libs.devservers.smtp import MailCatcher
from libs.devservers.suite import Suite
from libs.testing.fileshare_fixtures import ClamdServer
from libs.testing.servers import SessionServers
from services.fileshare.domain.share import add_months
from services.identity.bootstrap import add_facility_admin, create_facility, switch_admin
from services.identity.domain.facility import RegisterFacility
from tests.gateway_support import (
    Admin,
    eventually,
    post_user_share,
    running_suite,
    sharing_env,
    sign_in_admin,
    user_ready_to_share,
)

ROOT = Path(__file__).resolve().parents[1]
CODE = "994"
DOMAIN = "h994.example.jp"
CONTENT = "検査結果: 問題なし\n".encode()


@pytest.fixture
async def suite(
    servers: SessionServers,
    tmp_path_factory: pytest.TempPathFactory,
    clamd_server: ClamdServer,
    mail_catcher: MailCatcher,
) -> AsyncIterator[Suite]:
    env = sharing_env(clamd_server.host, clamd_server.port, "127.0.0.1", mail_catcher.port)
    # The test plays a proxy in front of the gateway: X-Forwarded-For is the user's address.
    env["FUMIDAI_GATEWAY_TRUSTED_PROXIES"] = "127.0.0.1"
    async for running in running_suite(servers, tmp_path_factory.mktemp("follow-logs"), env):
        yield running


async def facility_set(suite: Suite, *options: str) -> None:
    """``./fumidai facility set 994 …`` against the running suite's identity."""
    command = [
        sys.executable,
        "-m",
        "fumidai_cli",
        "facility",
        "set",
        CODE,
        *options,
        "--database-url",
        suite.database_url("identity"),
        "--operator",
        "pytest-operator",
    ]
    done = await asyncio.to_thread(
        subprocess.run, command, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


async def fileshare_has(suite: Suite, query: str, *args: object) -> None:
    """Wait until fileshare's projections of identity's events answer ``query`` with true:
    only then is the effect of a change due (identity publishes, fileshare follows)."""
    conn = await asyncpg.connect(suite.database_url("fileshare"))
    try:

        async def holds() -> bool:
            return bool(await conn.fetchval(query, *args))

        assert await eventually(holds, timeout=20), f"fileshare never saw: {query}"
    finally:
        await conn.close()


async def addresses_are(suite: Suite, *addresses: str) -> None:
    await fileshare_has(
        suite,
        "SELECT notification_addresses = $2::text[] FROM facility_policies WHERE code = $1",
        CODE,
        list(addresses),
    )


async def facility_with_a_user(suite: Suite, **settings: Any) -> tuple[Admin, dict[str, Any]]:
    """Facility 994 (its first admin's address ``admin01@…``) and a user who may share
    (常に許可), created by that admin through the admin API."""
    created = await create_facility(
        suite.database_url("identity"),
        RegisterFacility(
            code=CODE,
            name=f"{CODE}-Test Hospital",
            domain=DOMAIN,
            admin_name="admin01",
            admin_email=f"admin01@{DOMAIN}",
            **settings,
        ),
        operator="pytest-operator",
    )
    admin = await sign_in_admin(
        suite.url("gateway"),
        CODE,
        created.admin_account,
        created.initial_password,
        created.initial_second_password,
    )
    today = date.today()
    answer = await admin.send(
        "POST",
        "/users",
        json={
            "name": "taro.yamada",
            "family_name": "山田",
            "email": "taro@vendor.example",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=60)).isoformat(),
            "file_share": "always",
        },
    )
    assert answer.status_code == 201, answer.text
    return admin, answer.json()


async def share_from(http: httpx.AsyncClient, bearer: dict[str, str], ip: str) -> dict[str, Any]:
    """The user shares one file from ``ip``; the share as the answer shows it."""
    headers = {**bearer, "X-Forwarded-For": ip}
    answer = await post_user_share(http, headers, "結果.txt", CONTENT, "検査データの共有")
    assert answer.status_code == 201, answer.text
    share: dict[str, Any] = answer.json()
    return share


async def mailed_once(mail: MailCatcher, before: int) -> tuple[str, ...]:
    """Recipients of the one mail after the first ``before``; fail when none or more come."""

    async def arrived() -> bool:
        return len(mail.received) > before

    assert await eventually(arrived, timeout=60), "no mail about the share"
    await asyncio.sleep(1.0)  # time for a second mail, were one (wrongly) on its way
    assert len(mail.received) == before + 1
    return mail.received[before].rcpt_tos


async def test_f6_t1_a_share_mails_the_facility_and_its_enabled_admins_once_as_set(
    suite: Suite, mail_catcher: MailCatcher
) -> None:
    identity = suite.database_url("identity")
    admin, user = await facility_with_a_user(suite)
    await facility_set(suite, "--notify-address", "desk@h994.example.jp")
    # A second admin whose address the facility also has (spelt otherwise): mailed once;
    # a third admin, disabled: not mailed.
    await add_facility_admin(
        identity, CODE, "admin02", "山田 花子", "Desk@H994.example.jp", "pytest-operator"
    )
    third = await add_facility_admin(
        identity, CODE, "admin03", "佐藤 三郎", "saburo@h994.example.jp", "pytest-operator"
    )
    await switch_admin(identity, third.account, "pytest-operator", disabled=True)
    await addresses_are(suite, "desk@h994.example.jp")
    await fileshare_has(
        suite,
        "SELECT count(*) = 2 FROM facility_admins WHERE facility = $1 AND enabled",
        CODE,
    )

    async with httpx.AsyncClient(base_url=suite.url("gateway"), timeout=60) as http:
        bearer = await user_ready_to_share(http, user)
        await share_from(http, bearer, "198.51.100.7")
        assert await mailed_once(mail_catcher, 0) == ("desk@h994.example.jp", f"admin01@{DOMAIN}")
        subject = mail_catcher.received[0].message["Subject"]
        assert subject == f"【ファイル共有】共有のお知らせ: {user['account']}"

        await facility_set(
            suite, "--notify-address", "it@h994.example.jp", "--notify-address", "ward@x.example"
        )
        await addresses_are(suite, "it@h994.example.jp", "ward@x.example")
        await share_from(http, bearer, "198.51.100.7")
        assert await mailed_once(mail_catcher, 1) == (
            "it@h994.example.jp",
            "ward@x.example",
            f"admin01@{DOMAIN}",
            "Desk@H994.example.jp",
        )
    await admin.http.aclose()


async def test_t1_f2_f7_internal_networks_and_download_period_change_the_next_share(
    suite: Suite,
) -> None:
    admin, user = await facility_with_a_user(suite, internal_networks=("10.0.0.0/8",))
    async with httpx.AsyncClient(base_url=suite.url("gateway"), timeout=60) as http:
        bearer = await user_ready_to_share(http, user)
        first = await share_from(http, bearer, "10.1.2.3")
        assert first["direction_label"] == "院内"
        uploaded = datetime.fromisoformat(first["uploaded_at"])
        assert datetime.fromisoformat(first["expires_at"]) == add_months(uploaded, 3)

        await facility_set(suite, "--internal-network", "203.0.113.0/24")
        await fileshare_has(
            suite,
            "SELECT internal_networks = '{203.0.113.0/24}'::cidr[] FROM facility_policies"
            " WHERE code = $1",
            CODE,
        )
        assert (await share_from(http, bearer, "10.1.2.3"))["direction_label"] == "院外"
        assert (await share_from(http, bearer, "203.0.113.7"))["direction_label"] == "院内"

        await facility_set(suite, "--download-period-months", "1")
        await fileshare_has(
            suite,
            "SELECT download_period_months = 1 FROM facility_policies WHERE code = $1",
            CODE,
        )
        later = await share_from(http, bearer, "203.0.113.7")
        at = datetime.fromisoformat(later["uploaded_at"])
        assert datetime.fromisoformat(later["expires_at"]) == add_months(at, 1)
        # The networks were not named, so they stayed; the first share keeps its expiry.
        assert later["direction_label"] == "院内"
        again = await http.get(f"/user-api/v1/shares/{first['share_id']}", headers=bearer)
        assert again.json()["expires_at"] == first["expires_at"]
    await admin.http.aclose()
