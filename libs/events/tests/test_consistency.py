"""Read-your-writes (decision 0002): what a service waits for, and what it need not."""

import uuid

import asyncpg

from libs.events.consistency import wait_for_event
from libs.events.store import append
from libs.events.tests.probes import probe


async def test_an_event_this_service_wrote_is_applied_at_once(pool: asyncpg.Pool) -> None:
    """Its rows were written in the event's own transaction: a read after the command
    must not wait out the bound for an event no projection of its own will ever record."""
    event = probe(str(uuid.uuid4()), 1)
    async with pool.acquire() as conn:
        await append(conn, [event])
    assert await wait_for_event(pool, str(event.event_id), timeout=0)


async def test_another_services_event_waits_for_the_inbox(pool: asyncpg.Pool) -> None:
    event_id = str(uuid.uuid4())
    assert not await wait_for_event(pool, event_id, timeout=0)
    await pool.execute("INSERT INTO inbox (projection, event_id) VALUES ('p', $1)", event_id)
    assert await wait_for_event(pool, event_id, timeout=0)
    assert not await wait_for_event(pool, event_id, timeout=0, projection="other")


async def test_a_named_projection_is_not_satisfied_by_the_own_store(pool: asyncpg.Pool) -> None:
    event = probe(str(uuid.uuid4()), 1)
    async with pool.acquire() as conn:
        await append(conn, [event])
    assert not await wait_for_event(pool, str(event.event_id), timeout=0, projection="p")
