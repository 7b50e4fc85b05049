"""The relay: every committed event reaches JetStream once, in order per aggregate."""

import asyncio
import random
import time
from collections import defaultdict

import asyncpg
from nats.aio.client import Client as NATS

from libs.events.catalogue.probe import ProbeRecorded
from libs.events.correlation import NATS_HEADER, correlated
from libs.events.envelope import next_events
from libs.events.relay import Relay
from libs.events.settings import EventSettings
from libs.events.store import ConcurrencyConflict, Notifier, append
from libs.events.streams import ensure_streams
from libs.events.tests.probes import TESTER, probe
from libs.events.tests.streamread import stream_contents


async def _wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_20_writers_200_aggregates_published_once_in_version_order(
    pool: asyncpg.Pool, nc: NATS, event_settings: EventSettings, database_url: str
) -> None:
    await ensure_streams(nc.jetstream(), event_settings)
    notifier = Notifier(pool, local_leads=lambda: relay.is_leader)
    notifier.start()
    relay = Relay(
        service="t",
        dsn=database_url,
        pool=pool,
        nc=nc,
        settings=event_settings,
        wake=notifier.subscribe_local(),
    )
    relay.start()
    aggregates = [f"agg-{i:03d}" for i in range(200)]
    rng = random.Random(7)
    per_writer = 60

    async def writer(w: int) -> int:
        written = 0
        while written < per_writer:
            aggregate = rng.choice(aggregates)
            async with pool.acquire() as conn:
                current = await conn.fetchval(
                    "SELECT coalesce(max(version), 0) FROM events WHERE aggregate_id = $1",
                    aggregate,
                )
                try:
                    async with conn.transaction():
                        await append(conn, [probe(aggregate, current + 1, seq=w)])
                        if rng.random() < 0.3:
                            # Hold the transaction open so later positions commit first.
                            await asyncio.sleep(rng.random() * 0.01)
                except ConcurrencyConflict:
                    continue
            notifier.poke()
            written += 1
        return written

    half = asyncio.gather(*(writer(w) for w in range(10)))
    await half
    await relay.stop()  # a relay restart mid-run re-reads its checkpoint
    relay.start()
    await asyncio.gather(*(writer(w) for w in range(10, 20)))
    total = 20 * per_writer
    stream = event_settings.stream_name("probe")

    async def all_published() -> bool:
        return (await nc.jetstream().stream_info(stream)).state.messages >= total

    await _wait_for(all_published)
    await asyncio.sleep(0.3)  # anything extra would arrive now
    await relay.stop()
    await notifier.stop()

    published = await stream_contents(nc, stream)
    stored = {str(r["event_id"]) for r in await pool.fetch("SELECT event_id FROM events")}
    ids = [e.event_id for e in published]
    assert len(ids) == total == len(stored)
    assert len(set(ids)) == total, "an event was published twice"
    assert set(ids) == stored, "an event was skipped"
    versions: dict[str, list[int]] = defaultdict(list)
    for envelope in published:
        versions[envelope.aggregate_id].append(envelope.version)
    for aggregate, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), aggregate


async def test_relay_elects_one_leader(
    pool: asyncpg.Pool, nc: NATS, event_settings: EventSettings, database_url: str
) -> None:
    await ensure_streams(nc.jetstream(), event_settings)
    relays = [
        Relay(service="t", dsn=database_url, pool=pool, nc=nc, settings=event_settings)
        for _ in range(3)
    ]
    for relay in relays:
        relay.start()

    async def one_leader() -> bool:
        return sum(r.is_leader for r in relays) == 1

    await _wait_for(one_leader, 10)
    async with pool.acquire() as conn:
        await append(conn, [probe("a", 1), probe("b", 1)])
    stream = event_settings.stream_name("probe")

    async def both() -> bool:
        return (await nc.jetstream().stream_info(stream)).state.messages == 2

    await _wait_for(both, 10)
    leader = next(r for r in relays if r.is_leader)
    await leader.stop()
    others = [r for r in relays if r is not leader]

    async def taken_over() -> bool:
        return sum(r.is_leader for r in others) == 1

    await _wait_for(taken_over, 10)
    async with pool.acquire() as conn:
        await append(conn, [probe("c", 1)])

    async def three() -> bool:
        return (await nc.jetstream().stream_info(stream)).state.messages == 3

    await _wait_for(three, 10)
    for relay in others:
        await relay.stop()


async def test_a_published_event_names_its_correlation_in_a_header(
    pool: asyncpg.Pool, nc: NATS, event_settings: EventSettings, database_url: str
) -> None:
    await ensure_streams(nc.jetstream(), event_settings)
    with correlated("request-relay-1"):
        [envelope] = next_events(
            [ProbeRecorded(seq=1)], aggregate_id="corr-1", version=0, facility="998", actor=TESTER
        )
    async with pool.acquire() as conn:
        await append(conn, [envelope])
    relay = Relay(service="t", dsn=database_url, pool=pool, nc=nc, settings=event_settings)
    relay.start()
    stream = event_settings.stream_name("probe")
    js = nc.jetstream()

    async def published() -> bool:
        return (await js.stream_info(stream)).state.messages >= 1

    await _wait_for(published)
    await relay.stop()
    info = await js.stream_info(stream)
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg(stream, seq)
        if (msg.headers or {}).get("Nats-Msg-Id") == envelope.event_id:
            assert msg.headers is not None
            assert msg.headers[NATS_HEADER] == "request-relay-1"
            return
    raise AssertionError("the event was not published")
