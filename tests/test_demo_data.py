"""The demo data of ``./fumidai up``, seeded into a running suite (five real services, real
clamd), is what every screen needs: users (some 失効), terminals, connection rows with a
live one and refusals, sign-in rows, and a share waiting in the 承認 tab."""

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from fumidai_cli.demo import DEMO_FACILITY
from fumidai_cli.demo_data import (
    EXPIRED,
    FEDERATION_TARGETS,
    RETIRED_TARGETS,
    TERMINALS,
    USER_COUNT,
    catalogue,
)
from fumidai_cli.demo_seed import SuiteUrls, seed
from libs.devservers.smtp import MailCatcher
from libs.devservers.suite import Suite
from libs.events.envelope import Role
from libs.runtime.internal_auth import issue
from libs.runtime.token_keys import GATEWAY, OPERATOR
from libs.testing.fileshare_fixtures import ClamdServer
from libs.testing.servers import SessionServers
from services.identity.bootstrap import create_facility
from tests.gateway_support import eventually, running_suite, sharing_env


@pytest.fixture
async def suite(
    servers: SessionServers,
    tmp_path_factory: pytest.TempPathFactory,
    clamd_server: ClamdServer,
    mail_catcher: MailCatcher,
) -> AsyncIterator[Suite]:
    env = sharing_env(clamd_server.host, clamd_server.port, "127.0.0.1", mail_catcher.port)
    async for running in running_suite(servers, tmp_path_factory.mktemp("demo-logs"), env):
        yield running


def reader(suite: Suite, service: str) -> httpx.AsyncClient:
    """A reader of ``service``'s facility 998: an operator, except at fileshare, which
    accepts no operator (decision 0027): there the facility's admin, as the gateway sends."""
    role: Role = "admin" if service == "fileshare" else "operator"
    issuer = GATEWAY if service == "fileshare" else OPERATOR
    token = issue(
        suite.token_keys[issuer],
        audience=service,
        sub="pytest",
        role=role,
        facility="998",
        ttl=300,
    )
    return httpx.AsyncClient(
        base_url=f"{suite.url(service)}/internal/v1/facilities/998",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


async def log_rows(audit: httpx.AsyncClient, log: str) -> list[dict[str, Any]]:
    answer = await audit.get(f"/logs/{log}", params={"period": "24h", "limit": 200})
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


async def test_the_demo_data_fills_every_screen(suite: Suite, mail_catcher: MailCatcher) -> None:
    created = await create_facility(
        suite.database_url("identity"), DEMO_FACILITY, operator="pytest-operator"
    )
    urls = SuiteUrls(suite.url("gateway"), suite.url("identity"), suite.url("terminals"))
    report = await seed(urls, suite.token_keys[OPERATOR])
    plan = catalogue(date.today())
    assert report.users == USER_COUNT
    assert report.terminals == len(TERMINALS)
    assert report.live == 1
    assert report.refused == sum(c.refused for c in plan.connections) == 3
    assert report.shares == 2

    async with (
        reader(suite, "identity") as identity,
        reader(suite, "terminals") as terminals,
        reader(suite, "audit") as audit,
        reader(suite, "fileshare") as fileshare,
    ):
        users = (await identity.get("/users", params={"limit": 200})).json()["items"]
        mine = [u for u in users if u["account"] != created.admin_account]
        assert len(mine) == USER_COUNT
        assert sum(u["expired"] for u in mine) == len(EXPIRED)
        assert {u["file_share"] for u in mine} == {"always", "approval", "deny"}
        assert any(u["hours"] == {"start": "08:30", "end": "17:30"} for u in mine)
        # The 認証連携先 came as the operator's events; users who had the retired one keep it.
        targets = (await identity.get("/federation-targets")).json()["items"]
        assert {t["name"]: t["retired"] for t in targets} == {
            name: name in RETIRED_TARGETS for name in FEDERATION_TARGETS
        }
        holders = [u["account"] for u in mine if RETIRED_TARGETS[0] in u["federation_targets"]]
        assert len(holders) == 2

        listed = (await terminals.get("/terminals")).json()
        assert sorted(t["name"] for t in listed) == sorted(f"998-{n}" for n in TERMINALS)
        assert all(t["user_count"] > 0 for t in listed)

        async def connections() -> list[dict[str, Any]] | None:
            rows = await log_rows(audit, "connections")
            return rows if len(rows) == len(plan.connections) else None

        rows = await eventually(connections, timeout=15)
        assert rows, "the agent's attempts did not all reach the connection log"
        assert [r["state"] for r in rows].count("live") == 1
        assert [r["state"] for r in rows].count("refused") == 3
        assert [r["state"] for r in rows].count("ended") == 5

        async def sign_ins() -> list[dict[str, Any]] | None:
            rows = await log_rows(audit, "signins")
            failed = [r for r in rows if r["result"] != "success"]
            done = {r["account"] for r in rows if r["result"] == "success"}
            return rows if len(failed) >= 3 and len(done) >= 2 else None

        assert await eventually(sign_ins, timeout=15), "sign-ins missing from the login log"

        async def waiting() -> list[dict[str, Any]] | None:
            answer = await fileshare.get("/shares/approvals")
            items: list[dict[str, Any]] = answer.json()["items"]
            return items or None

        pending = await eventually(waiting, timeout=60)  # clamd scans it first
        assert pending and len(pending) == 1
        assert pending[0]["owner_account"].startswith("998-operation-user01@")

    # The demo admin has an address: ``up`` mails the facility (F6) into its mail catcher.
    async def mailed() -> list[str] | None:
        subjects = [
            str(m.message["Subject"])
            for m in mail_catcher.received
            if DEMO_FACILITY.admin_email in m.rcpt_tos
        ]
        return subjects if any("承認依頼" in s for s in subjects) else None

    assert await eventually(mailed, timeout=20), "no mail reached the demo admin"
