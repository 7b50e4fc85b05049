"""The walking skeleton end to end: five real service processes, real NATS and Postgres.

An operator registers facility 998 with its first admin; terminals and audit project
both events from NATS; the gateway's readiness reports every service (and stays ready
without one); SIGTERM stops them all cleanly.
"""

import asyncio
import contextlib
import json
import secrets
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from libs.devservers.suite import Suite
from libs.runtime.internal_auth import issue
from libs.runtime.token_keys import GATEWAY
from libs.testing.servers import SessionServers, authorize_suite
from services.identity.bootstrap import create_facility
from services.identity.domain.facility import RegisterFacility


@pytest.fixture
def suite(servers: SessionServers, tmp_path: Path) -> Iterator[Suite]:
    env = {
        "FUMIDAI_EVENTS_SUBJECT_ROOT": f"s{secrets.token_hex(4)}",
        "FUMIDAI_EVENTS_STREAM_PREFIX": f"S{secrets.token_hex(4).upper()}",
    }
    suite = Suite(
        postgres_url=servers.postgres_url,
        nats_url=servers.nats_url,
        log_dir=tmp_path / "logs",
        database_prefix=f"skel{secrets.token_hex(3)}_",
        extra_env=env | authorize_suite(servers, tmp_path / "nats-keys", env),
    )
    yield suite
    codes = suite.stop()
    # uvicorn re-raises SIGTERM after its graceful shutdown, hence -15 rather than 0.
    assert set(codes.values()) <= {0, -signal.SIGTERM}, f"killed: {codes}"
    for service in codes:
        log = (suite.log_dir / f"{service}.log").read_text()
        assert "backbone_stopped" in logged_events(log), f"{service} did not shut down gracefully"


def logged_events(log: str) -> set[str]:
    """The ``event`` of every JSON line of a service's log (uvicorn's own lines are text)."""
    events = set()
    for line in log.splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict):
                events.add(str(entry.get("event")))
    return events


async def test_facility_registered_flows_to_terminals_and_audit(suite: Suite) -> None:
    await suite.prepare()
    suite.start()
    await asyncio.to_thread(suite.wait_ready, 90)

    async with httpx.AsyncClient() as client:
        ready = (await client.get(f"{suite.url('gateway')}/health/ready")).json()
    assert ready["status"] == "ok"
    for service in ("identity", "terminals", "audit", "fileshare"):
        assert ready["upstreams"][service] is True

    created = await create_facility(
        suite.database_url("identity"),
        RegisterFacility(
            code="998",
            name="998-Dev Hospital",
            domain="nrasdev.onmicrosoft.com",
            admin_name="operation-admin01",
        ),
        operator="pytest-operator",
    )
    assert created.admin_account == "998-operation-admin01@nrasdev.onmicrosoft.com"
    assert len(created.initial_password) >= 12

    gateway_key = suite.token_keys[GATEWAY]
    admin_token = issue(
        gateway_key, audience="audit", sub=created.admin_account, role="admin", facility="998"
    )
    async with httpx.AsyncClient(base_url=suite.url("audit")) as audit:
        # Read-your-writes across services: audit waits until it has applied the event
        # the command returned as its consistency token, then answers. No polling.
        response = await audit.get(
            "/internal/v1/facilities/998/operations",
            headers={
                "Authorization": f"Bearer {admin_token}",
                "X-Fumidai-Consistency": created.last_event_id,
            },
        )
        assert response.status_code == 200
        operations = response.json()
        assert sorted(op["action"] for op in operations) == ["AdminCreated", "FacilityRegistered"]
        assert {op["actor_id"] for op in operations} == {"pytest-operator"}
        assert created.initial_password not in response.text

        # SPEC T3: another facility's admin sees nothing, as if it did not exist.
        other = issue(
            gateway_key, audience="audit", sub="997-x@y.example", role="admin", facility="997"
        )
        response = await audit.get(
            "/internal/v1/facilities/998/operations", headers={"Authorization": f"Bearer {other}"}
        )
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        response = await audit.get("/internal/v1/facilities/998/operations")
        assert response.status_code == 401

    terminals = await asyncpg.connect(suite.database_url("terminals"))
    try:
        deadline = time.monotonic() + 20
        while True:
            rows = await terminals.fetch("SELECT account_key, is_admin FROM accounts")
            if rows or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        assert [(r["account_key"], r["is_admin"]) for r in rows] == [
            ("998-operation-admin01@nrasdev.onmicrosoft.com", True)
        ]
        assert await terminals.fetchval("SELECT name FROM facilities WHERE code = '998'") == (
            "998-Dev Hospital"
        )
    finally:
        await terminals.close()


async def test_gateway_reports_a_missing_service_and_stays_ready(suite: Suite) -> None:
    """One service down takes no gateway out of service (decision 0033): still 200,
    ``degraded``, with that service named."""
    await suite.prepare()
    suite.start()
    await asyncio.to_thread(suite.wait_ready, 90)
    suite.processes["audit"].terminate()
    suite.processes["audit"].wait(15)
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{suite.url('gateway')}/health/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "degraded"
    assert body["upstreams"]["audit"] is False
    assert body["upstreams"]["identity"] is True
    assert all(body["checks"].values()), body
