"""The gateway running in-process on a fresh database; services behind it as needed."""

from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.events.settings import EventSettings
from libs.runtime.settings import ServiceSettings
from libs.testing.apps import core_settings, running
from libs.testing.servers import SessionServers
from services.gateway.adapters.sessions import SessionStore
from services.gateway.bootstrap import bootstrap
from services.gateway.settings import GatewayOwn, UpstreamSettings

Client = AsyncTestClient[Litestar]


@pytest.fixture
def gateway_settings(
    servers: SessionServers, database_url: str, event_settings: EventSettings
) -> ServiceSettings:
    return ServiceSettings(
        core=core_settings(database_url, servers.nats_url, servers.harness_seed_file),
        events=event_settings,
    )


@pytest.fixture
async def gateway(gateway_settings: ServiceSettings) -> AsyncIterator[Client]:
    """The gateway alone (its upstreams unreachable): sessions, headers, CSRF."""
    nowhere = "http://127.0.0.1:9"
    upstreams = UpstreamSettings(
        identity_url=nowhere, terminals_url=nowhere, audit_url=nowhere, fileshare_url=nowhere
    )
    app = bootstrap(gateway_settings, upstreams, GatewayOwn())
    async with running(app) as client:
        yield client


@pytest.fixture
async def store(database_url: str, gateway: Client) -> AsyncIterator[SessionStore]:
    """The gateway's session table, through a pool of the test's own event loop.

    The app runs its own loop in another thread; its pool cannot be used from here.
    """
    del gateway  # started first: its migrations create the tables
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    yield SessionStore(lambda: pool, idle=timedelta(minutes=30), absolute=timedelta(hours=12))
    await pool.close()
