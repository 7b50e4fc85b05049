"""audit running in-process on a fresh database and the session's NATS, with a movable clock.

Events reach it as they do in production: encoded envelopes published on their context's
stream with ``Nats-Msg-Id``; its own durable consumers project them.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from nats.aio.client import Client as NATS

from libs.events.clock import SettableClock
from libs.events.codec import encode
from libs.events.envelope import Envelope
from libs.events.settings import EventSettings
from libs.events.subjects import subject_of
from libs.testing.apps import core_settings, running
from libs.testing.servers import SessionServers
from services.audit.bootstrap import bootstrap
from services.audit.consumers import PROJECTIONS
from services.audit.settings import AuditOwn, AuditSettings
from services.audit.tests.callers import bearer

Client = AsyncTestClient[Litestar]


@dataclass
class Audit:
    """audit's client, its database, a publisher on its streams, and its clock."""

    client: Client
    pool: asyncpg.Pool
    nc: NATS
    settings: EventSettings
    clock: SettableClock
    app: Litestar

    async def publish(self, *envelopes: Envelope, wait: bool = True) -> None:
        """Publish as a relay would, then (by default) wait until every projection has them."""
        js = self.nc.jetstream()
        acks = [
            await js.publish_async(
                subject_of(self.settings.subject_root, env),
                encode(env),
                headers={"Nats-Msg-Id": env.event_id},
            )
            for env in envelopes
        ]
        await asyncio.gather(*acks)
        if wait:
            await self.applied(*envelopes)

    async def applied(self, *envelopes: Envelope, timeout: float = 20.0) -> None:
        """Wait until each projection that reads an envelope's type has recorded it."""
        wanted = [
            (projection.name, env.event_id)
            for env in envelopes
            for projection in PROJECTIONS
            if type(env.event) in projection.events
        ]
        if not wanted:
            return
        deadline = time.monotonic() + timeout
        while True:
            seen = await self.pool.fetchval(
                """SELECT count(*) FROM inbox i
                   JOIN unnest($1::text[], $2::uuid[]) AS w(projection, event_id)
                     ON i.projection = w.projection AND i.event_id = w.event_id""",
                [p for p, _ in wanted],
                [e for _, e in wanted],
            )
            if seen >= len(wanted):
                return
            assert time.monotonic() < deadline, f"{seen} of {len(wanted)} applied"
            await asyncio.sleep(0.02)

    async def page(self, log: str, code: str = "998", **params: Any) -> dict[str, Any]:
        response = await self.client.get(
            f"/internal/v1/facilities/{code}/logs/{log}", params=params, headers=admin(code)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def cells(self, log: str, code: str = "998", **params: Any) -> list[list[str]]:
        """Every row's cells over all pages, newest first."""
        rows: list[list[str]] = []
        cursor = None
        while True:
            extra: dict[str, Any] = {"cursor": cursor} if cursor else {}
            body = await self.page(log, code, limit=200, **params, **extra)
            rows += [row["cells"] for row in body["rows"]]
            cursor = body["next_cursor"]
            if cursor is None:
                return rows


def admin(code: str = "998") -> dict[str, str]:
    return bearer(f"{code}-operation-admin01@nrasdev.onmicrosoft.com", "admin", code)


@pytest.fixture
def own() -> AuditOwn:
    """audit's own settings for a test: no scheduled purge (tests purge when they mean to)."""
    return AuditOwn(purge_enabled=False, export_poll_s=0.1)


@pytest.fixture
async def audit(
    servers: SessionServers,
    database_url: str,
    event_settings: EventSettings,
    nc: NATS,
    own: AuditOwn,
) -> AsyncIterator[Audit]:
    clock = SettableClock(datetime(2025, 3, 24, 9, 0, tzinfo=UTC))
    settings = AuditSettings(
        core=core_settings(database_url, servers.nats_url, servers.harness_seed_file),
        events=event_settings,
        own=own,
    )
    app = bootstrap(settings, clock)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=8)
    try:
        async with running(app) as client:
            yield Audit(client, pool, nc, event_settings, clock, app)
    finally:
        await pool.close()
