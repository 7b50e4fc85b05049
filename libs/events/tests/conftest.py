"""Fixtures of the backbone's integration tests: a migrated store and helpers."""

from collections.abc import AsyncIterator

import asyncpg
import pytest
from nats.aio.client import Client as NATS

from libs.events.settings import EventSettings
from libs.events.tests.rig import Rig
from libs.events.tests.tally import TALLY_DDL
from libs.postgres.migrations import apply, discover
from libs.runtime.backbone import EVENTS_MIGRATIONS


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the event store and the tally tables."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=24)
    async with pool.acquire() as conn:
        await apply(conn, discover("events", EVENTS_MIGRATIONS))
        await conn.execute(TALLY_DDL)
    yield pool
    await pool.close()


@pytest.fixture
async def rig(
    pool: asyncpg.Pool, nc: NATS, event_settings: EventSettings, database_url: str
) -> AsyncIterator[Rig]:
    """A running relay and tally projection on this test's database and streams."""
    rig = Rig(pool, nc, event_settings, database_url)
    await rig.start()
    yield rig
    await rig.stop()
