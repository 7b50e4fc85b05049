"""identity running in-process on a fresh database and the session's NATS."""

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.events.settings import EventSettings
from libs.testing.apps import core_settings, running
from libs.testing.servers import SessionServers
from services.identity.bootstrap import bootstrap
from services.identity.settings import IdentityOwn, IdentitySettings


@pytest.fixture
def identity_settings(
    servers: SessionServers, database_url: str, event_settings: EventSettings
) -> IdentitySettings:
    return IdentitySettings(
        core=core_settings(database_url, servers.nats_url),
        events=event_settings,
        own=IdentityOwn(totp_key="9X3M3w9cQk8m1f6Xo3m0C3JgkL0hQ7n8V4b6vK2pZ1E="),
    )


@pytest.fixture
async def identity(identity_settings: IdentitySettings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of identity's internal API, its backbone running."""
    async with running(bootstrap(identity_settings)) as client:
        yield client
