"""Projections from JetStream: exactly-once effect, outages, poison, dead letters."""

import asyncio

import asyncpg
import msgspec
import pytest
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from libs.events import metrics
from libs.events.catalogue.identity import FacilityRegistered
from libs.events.codec import encode
from libs.events.consumer import ConsumerRunner
from libs.events.correlation import correlation_of, current_correlation
from libs.events.deadletter import DeadLetterMover
from libs.events.envelope import envelop
from libs.events.settings import EventSettings
from libs.events.store import append
from libs.events.tests.probes import TESTER, probe
from libs.events.tests.rig import Rig, wait_for
from libs.events.tests.streamread import stream_contents
from libs.events.tests.tally import ProbeTally
from libs.testing.servers import SessionServers


async def test_events_reach_the_projection_once(rig: Rig) -> None:
    await rig.write(50)

    async def done() -> bool:
        return len(await rig.tally()) == 50

    await wait_for(done)
    assert set(await rig.tally()) == {1}


async def test_nats_down_commands_succeed_and_every_event_arrives_once(
    rig: Rig, servers: SessionServers
) -> None:
    embedded = servers.nats
    if embedded is None:
        pytest.skip("needs the embedded NATS server to stop and start it")
    await rig.write(20, prefix="before")
    embedded.kill()
    try:
        await rig.write(100, prefix="during")  # commands succeed with NATS gone
        assert await rig.pool.fetchval("SELECT count(*) FROM events") == 120
    finally:
        embedded.restart()
    await rig.write(20, prefix="after")

    async def all_arrived() -> bool:
        return len(await rig.tally()) == 140

    await wait_for(all_arrived, 90)
    await asyncio.sleep(1.0)
    assert set(await rig.tally()) == {1}, "an event was applied twice"


async def test_consumer_killed_between_commit_and_ack_changes_nothing_on_redelivery(
    pool: asyncpg.Pool, nc: NATS, event_settings: EventSettings, database_url: str
) -> None:
    committed = asyncio.Event()

    async def die_before_ack(_: object) -> None:
        committed.set()
        await asyncio.Event().wait()  # the process "dies" here: cancelled before acking

    rig = Rig(pool, nc, event_settings, database_url)
    rig.runner = ConsumerRunner(
        projection=ProbeTally(),
        pool=pool,
        nc=nc,
        settings=event_settings,
        after_commit=die_before_ack,
    )
    await rig.start()
    await rig.write(10)
    await asyncio.wait_for(committed.wait(), 30)
    await rig.runner.stop()  # killed: committed, never acked
    before = await rig.tally()
    assert before and set(before) == {1}

    survivor = ConsumerRunner(projection=ProbeTally(), pool=pool, nc=nc, settings=event_settings)
    await survivor.start()

    async def redelivered_and_acked() -> bool:
        return await survivor.lag() == 0 and len(await rig.tally()) == 10

    await wait_for(redelivered_and_acked)
    assert set(await rig.tally()) == {1}
    assert survivor.applied >= len(before)  # the redelivered messages did come back
    await survivor.stop()
    await rig.relay.stop()
    await rig.notifier.stop()


async def test_poison_messages_are_dead_lettered_and_the_consumer_goes_on(
    rig: Rig, nc: NATS, event_settings: EventSettings
) -> None:
    mover = DeadLetterMover(
        service="t", projections=[rig.runner.projection], nc=nc, settings=event_settings
    )
    await mover.start()
    js = nc.jetstream()
    counted_before = metrics.DEAD_LETTERS.labels("probe_tally__probe", "terminated")._value.get()
    # Bytes that are no event at all: terminated at once.
    await js.publish(
        f"{event_settings.subject_root}.probe.998.probe.x.ProbeRecorded", b"\xff{not json"
    )
    # An event the handler chokes on: nak'ed with backoff until max_deliver.
    await rig.write(1, prefix="bad", note="poison")
    await rig.write(5, prefix="good")

    async def good_applied() -> bool:
        return len(await rig.tally()) == 5

    await wait_for(good_applied)

    async def both_dead() -> bool:
        return mover.moved >= 2

    await wait_for(both_dead, 60)
    dead = await stream_contents_raw(nc, event_settings.deadletter_stream)
    reasons = sorted(h.get("Fumidai-Dead-Reason", "") for h in dead)
    assert reasons == ["max_deliveries", "terminated"]
    counted_after = metrics.DEAD_LETTERS.labels("probe_tally__probe", "terminated")._value.get()
    assert counted_after == counted_before + 1
    await rig.write(3, prefix="later")

    async def still_consuming() -> bool:
        return len(await rig.tally()) == 8

    await wait_for(still_consuming)
    await mover.stop()


async def stream_contents_raw(nc: NATS, stream: str) -> list[dict[str, str]]:
    """Headers of every message in ``stream``."""
    js = nc.jetstream()
    info = await js.stream_info(stream)
    headers = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg(stream, seq)
        headers.append(dict(msg.headers or {}))
    return headers


async def test_facility_events_from_a_second_stream_are_projected(rig: Rig) -> None:
    facility = envelop(
        FacilityRegistered(code="998", name="998-Dev Hospital", domain="nrasdev.onmicrosoft.com"),
        facility="998",
        aggregate_id="fac-998",
        version=1,
        actor=TESTER,
    )
    async with rig.pool.acquire() as conn:
        await append(conn, [facility])
    rig.notifier.poke()

    async def projected() -> bool:
        name = await rig.pool.fetchval("SELECT name FROM facility_names WHERE code = '998'")
        return bool(name == ("998-Dev Hospital"))

    await wait_for(projected)
    assert len(encode(facility)) < 1024
    assert [
        e.event_id for e in await stream_contents(rig.nc, rig.settings.stream_name("identity"))
    ] == [facility.event_id]


async def test_an_event_of_another_context_on_a_stream_is_dead_lettered_and_counted(
    rig: Rig, nc: NATS, event_settings: EventSettings
) -> None:
    """A forged event: identity's FacilityRegistered published on the probe stream's subjects
    (as a service allowed to publish only its own context could) is refused, not applied."""
    mover = DeadLetterMover(
        service="t", projections=[rig.runner.projection], nc=nc, settings=event_settings
    )
    await mover.start()
    counted = metrics.DEAD_LETTERS.labels("probe_tally__probe", "wrong_context")
    counted_before = counted._value.get()
    forged = envelop(
        FacilityRegistered(code="666", name="forged", domain="evil.example"),
        facility="666",
        aggregate_id="fac-666",
        version=1,
        actor=TESTER,
    )
    await nc.jetstream().publish(
        f"{event_settings.subject_root}.probe.666.probe.x.ProbeRecorded", encode(forged)
    )
    await rig.write(3, prefix="after")

    async def dead() -> bool:
        return mover.moved >= 1 and len(await rig.tally()) == 3

    await wait_for(dead, 30)
    [letter] = await stream_contents_raw(nc, event_settings.deadletter_stream)
    assert letter["Fumidai-Dead-Reason"] == "wrong_context"
    assert counted._value.get() == counted_before + 1
    assert await rig.pool.fetchval("SELECT count(*) FROM facility_names") == 0
    await mover.stop()


async def test_consumer_lag_is_exported_continuously_even_when_the_consumer_is_stuck(
    pool: asyncpg.Pool, nc: NATS, event_settings: EventSettings, database_url: str
) -> None:
    """fumidai_consumer_lag (issue 17, Operations) follows JetStream on a timer: nobody
    calls lag(), and a consumer stuck on its batch still shows how far behind it is."""
    fast = msgspec.structs.replace(event_settings, consumer_lag_interval_s=0.2)
    stuck = asyncio.Event()

    async def hang(_: object) -> None:
        stuck.set()
        await asyncio.Event().wait()  # commits, then never acks

    gauge = metrics.CONSUMER_LAG.labels("probe_tally")
    rig = Rig(pool, nc, fast, database_url)
    rig.runner = ConsumerRunner(
        projection=ProbeTally(), pool=pool, nc=nc, settings=fast, after_commit=hang
    )
    await rig.start()
    await rig.write(10)
    await asyncio.wait_for(stuck.wait(), 30)

    async def behind() -> bool:
        return bool(gauge._value.get() == 10)

    await wait_for(behind)
    await rig.runner.stop()

    healthy = ConsumerRunner(projection=ProbeTally(), pool=pool, nc=nc, settings=fast)
    await healthy.start()
    gauge.set(12345)  # a stale value the timer must overwrite

    async def caught_up() -> bool:
        return bool(gauge._value.get() == 0)

    await wait_for(caught_up)
    await healthy.stop()
    await rig.relay.stop()
    await rig.notifier.stop()


async def test_the_after_commit_hook_runs_under_its_events_correlation(
    pool: asyncpg.Pool, nc: NATS, event_settings: EventSettings, database_url: str
) -> None:
    """Decision 0045: what a hook logs or sends after the commit names the story of the
    events it follows, one call per run of events sharing a correlation id."""
    calls: list[tuple[str | None, list[str]]] = []

    async def record(msgs: list[Msg]) -> None:
        calls.append((current_correlation(), [correlation_of(msg.data) for msg in msgs]))

    rig = Rig(pool, nc, event_settings, database_url)
    rig.runner = ConsumerRunner(
        projection=ProbeTally(), pool=pool, nc=nc, settings=event_settings, after_commit=record
    )
    await rig.start()
    stories = ["story-a"] * 3 + ["story-b"] * 2
    async with pool.acquire() as conn:
        await append(
            conn,
            [
                msgspec.structs.replace(probe(f"c-{n}", 1, seq=n), correlation_id=story)
                for n, story in enumerate(stories)
            ],
        )
    rig.notifier.poke()

    async def all_hooked() -> bool:
        return sum(len(ids) for _, ids in calls) == len(stories)

    await wait_for(all_hooked)
    await rig.stop()
    assert all(ids and set(ids) == {current} for current, ids in calls), calls
    assert sorted(one for _, ids in calls for one in ids) == stories
    assert current_correlation() is None
