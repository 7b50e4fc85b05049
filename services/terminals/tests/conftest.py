"""terminals running for real (uvicorn, its own database, the session's NATS), a movable
clock, and identity's side played by publishing its events."""

from collections.abc import AsyncIterator

import httpx
import pytest
from nats.aio.client import Client as NATS

from libs.events.clock import SettableClock
from libs.events.settings import EventSettings
from libs.testing.apps import core_settings
from libs.testing.servers import SessionServers
from services.terminals.bootstrap import build_runtime
from services.terminals.http import create_app
from services.terminals.settings import TerminalsOwn, TerminalsSettings
from services.terminals.tests.harness import IdentityFeed, Service, fake_clock, serving


@pytest.fixture
def clock() -> SettableClock:
    return fake_clock()


@pytest.fixture
def terminals_settings(
    servers: SessionServers, database_url: str, event_settings: EventSettings
) -> TerminalsSettings:
    return TerminalsSettings(
        core=core_settings(database_url, servers.nats_url, servers.harness_seed_file),
        events=event_settings,
        # Tests sweep by calling the runtime; a long interval keeps the loop out of the way.
        own=TerminalsOwn(sweep_interval_s=3600, order_recheck_s=0.5),
    )


@pytest.fixture
async def service(
    terminals_settings: TerminalsSettings, clock: SettableClock, nc: NATS
) -> AsyncIterator[Service]:
    """The terminals service, started; ``nc`` makes sure its test streams are removed."""
    runtime = build_runtime(terminals_settings, clock)
    async with (
        serving(create_app(runtime)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        yield Service(url, http, runtime, clock)


@pytest.fixture
async def identity(service: Service, nc: NATS, event_settings: EventSettings) -> IdentityFeed:
    """identity's events for facility 998 (Asia/Tokyo) and its first admin, applied."""
    feed = IdentityFeed(nc, event_settings, service.runtime)
    await feed.facility()
    await feed.admin()
    return feed
