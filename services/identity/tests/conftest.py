"""identity running in-process on a fresh database and the session's NATS."""

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.events.settings import EventSettings
from libs.testing.apps import core_settings, running
from libs.testing.servers import SessionServers, create_database
from services.identity.bootstrap import bootstrap
from services.identity.settings import IdentityOwn, IdentitySettings
from services.identity.tests.signin_support import FakeClock


@pytest.fixture
def identity_settings(
    servers: SessionServers, database_url: str, event_settings: EventSettings
) -> IdentitySettings:
    return IdentitySettings(
        core=core_settings(database_url, servers.nats_url, servers.harness_seed_file),
        events=event_settings,
        own=IdentityOwn(totp_key="9X3M3w9cQk8m1f6Xo3m0C3JgkL0hQ7n8V4b6vK2pZ1E="),
    )


@pytest.fixture
async def identity(identity_settings: IdentitySettings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of identity's internal API, its backbone running."""
    async with running(bootstrap(identity_settings)) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    """The time identity's sign-in decides by, moved by the test instead of sleeping."""
    return FakeClock()


@pytest.fixture
async def clocked(
    identity_settings: IdentitySettings, clock: FakeClock
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """Like ``identity``, with sign-in on the test's ``clock``."""
    async with running(bootstrap(identity_settings, clock=clock)) as client:
        yield client


@pytest.fixture(scope="module")
async def shared_identity(
    servers: SessionServers,
) -> AsyncIterator[tuple[AsyncTestClient[Litestar], IdentitySettings]]:
    """One identity for a whole test module (its own database and streams), with small CSV
    limits; each test works in a facility of its own (``users_support.new_facility``)."""
    tag = uuid.uuid4().hex[:8]
    settings = IdentitySettings(
        core=core_settings(
            await create_database(servers, "users"), servers.nats_url, servers.harness_seed_file
        ),
        events=EventSettings(
            subject_root=f"u{tag}",
            stream_prefix=f"U{tag.upper()}",
            duplicate_window_s=120.0,
            consumer_ack_wait_s=2.0,
            nak_backoff_s=(0.1, 0.2, 0.3),
            provision_all_streams=True,
        ),
        own=IdentityOwn(
            totp_key="9X3M3w9cQk8m1f6Xo3m0C3JgkL0hQ7n8V4b6vK2pZ1E=",
            csv_max_rows=1000,
            csv_max_bytes=256 * 1024,
        ),
    )
    async with running(bootstrap(settings)) as client:
        yield client, settings


@pytest.fixture(scope="module")
def shared_app(
    shared_identity: tuple[AsyncTestClient[Litestar], IdentitySettings],
) -> AsyncTestClient[Litestar]:
    return shared_identity[0]


@pytest.fixture(scope="module")
async def shared_db(
    shared_identity: tuple[AsyncTestClient[Litestar], IdentitySettings],
) -> AsyncIterator[asyncpg.Pool]:
    """The shared identity's database (migrated: the app has started)."""
    pool = await asyncpg.create_pool(shared_identity[1].core.database_url, min_size=1, max_size=4)
    yield pool
    await pool.close()
