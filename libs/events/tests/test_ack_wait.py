"""A short ack wait: a batch in hand is never redelivered, however long it takes to apply;
what a stopped consumer fetched and never acknowledged comes again after the wait."""

import asyncio
import time
from collections.abc import Sequence

import asyncpg
import msgspec
import pytest
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from libs.events.consumer import ConsumerRunner, durable_name
from libs.events.envelope import Envelope
from libs.events.settings import EventSettings
from libs.events.streams import ensure_streams
from libs.events.tests.rig import Rig, wait_for
from libs.events.tests.tally import ProbeTally
from libs.postgres.connection import Connection

ACK_WAIT_S = 1.0
SLOW_S = 3.0
"""How long applying one event (or the after-commit hook) takes: three ack waits."""


class SlowTally(ProbeTally):
    """A tally that takes ``delay_s`` per event; with ``fail_first`` each batch fails
    once, so its events are applied one by one (the consumer's fallback)."""

    def __init__(self, delay_s: float, *, fail_first: bool = False) -> None:
        self._delay_s = delay_s
        self._fail_first = fail_first
        self._failed: set[str] = set()

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        await self._maybe_fail([envelope])
        await asyncio.sleep(self._delay_s)
        await super().apply(conn, envelope)

    async def apply_many(self, conn: Connection, envelopes: Sequence[Envelope]) -> None:
        await self._maybe_fail(envelopes)
        for envelope in envelopes:
            await self.apply(conn, envelope)

    async def _maybe_fail(self, envelopes: Sequence[Envelope]) -> None:
        ids = {envelope.event_id for envelope in envelopes}
        if self._fail_first and not ids <= self._failed:
            self._failed |= ids
            raise RuntimeError("the batch fails once")


class Deliveries:
    """The after-commit hook: records each message's stream sequence and delivery count."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.seen: list[tuple[int, int]] = []
        self._delay_s = delay_s

    async def __call__(self, msgs: list[Msg]) -> None:
        await asyncio.sleep(self._delay_s)
        self.seen += [(m.metadata.sequence.stream, m.metadata.num_delivered or 0) for m in msgs]


@pytest.mark.parametrize("slow", ["apply", "after_commit", "one_by_one"])
async def test_a_batch_longer_than_the_ack_wait_is_delivered_once(
    slow: str, pool: asyncpg.Pool, nc: NATS, event_settings: EventSettings, database_url: str
) -> None:
    settings = msgspec.structs.replace(event_settings, consumer_ack_wait_s=ACK_WAIT_S)
    deliveries = Deliveries(SLOW_S if slow == "after_commit" else 0.0)
    worker = ConsumerRunner(
        projection=SlowTally(
            0.0 if slow == "after_commit" else SLOW_S, fail_first=slow == "one_by_one"
        ),
        pool=pool,
        nc=nc,
        settings=settings,
        after_commit=deliveries,
    )
    # A second replica, quick, fetching all the time from when the slow one holds both
    # messages: one whose ack wait ran out meanwhile would be handed to it at once.
    rig = Rig(pool, nc, settings, database_url)
    rig.runner = ConsumerRunner(
        projection=ProbeTally(), pool=pool, nc=nc, settings=settings, after_commit=deliveries
    )
    js = nc.jetstream()
    stream, durable = settings.stream_name("probe"), durable_name(worker.projection, "probe")
    await ensure_streams(js, settings)
    rig.notifier.start()
    rig.relay.start()
    try:
        await rig.write(2)

        async def published() -> bool:
            return (await js.stream_info(stream)).state.messages == 2

        async def both_in_hand() -> bool:
            info = await js.consumer_info(stream, durable)
            return bool(info.num_pending == 0 and info.num_ack_pending == 2)

        await wait_for(published)
        await worker.start()
        await wait_for(both_in_hand)
        await rig.runner.start()

        async def done() -> bool:
            return len(deliveries.seen) >= 2 and await worker.lag() == 0

        await wait_for(done, 60)
        await asyncio.sleep(2 * ACK_WAIT_S)  # a redelivery would show by now
        assert [count for _, count in deliveries.seen] == [1, 1], deliveries.seen
        assert len({seq for seq, _ in deliveries.seen}) == 2
        assert set(await rig.tally()) == {1}
        assert (await js.consumer_info(stream, durable)).num_redelivered == 0
    finally:
        await worker.stop()
        await rig.stop()


async def test_what_a_stopped_consumer_fetched_comes_again_after_the_ack_wait(
    pool: asyncpg.Pool, nc: NATS, event_settings: EventSettings, database_url: str
) -> None:
    settings = msgspec.structs.replace(event_settings, consumer_ack_wait_s=ACK_WAIT_S)
    committed = asyncio.Event()

    async def never_ack(_: object) -> None:
        committed.set()
        await asyncio.Event().wait()  # held in hand (beating) until the consumer stops

    rig = Rig(pool, nc, settings, database_url)
    rig.runner = ConsumerRunner(
        projection=ProbeTally(), pool=pool, nc=nc, settings=settings, after_commit=never_ack
    )
    await rig.start()
    survivor: ConsumerRunner | None = None
    try:
        await rig.write(1)
        await asyncio.wait_for(committed.wait(), 30)
        await asyncio.sleep(3 * ACK_WAIT_S)  # in hand meanwhile: not redelivered
        await rig.runner.stop()
        stopped = time.monotonic()
        deliveries = Deliveries()
        survivor = ConsumerRunner(
            projection=ProbeTally(), pool=pool, nc=nc, settings=settings, after_commit=deliveries
        )
        await survivor.start()

        async def redelivered() -> bool:
            return bool(deliveries.seen)

        await wait_for(redelivered, 30)
        elapsed = time.monotonic() - stopped
        assert deliveries.seen == [(deliveries.seen[0][0], 2)]  # its second delivery
        assert elapsed < ACK_WAIT_S + 2.0, elapsed
        assert set(await rig.tally()) == {1}
    finally:
        if survivor is not None:
            await survivor.stop()
        await rig.relay.stop()
        await rig.notifier.stop()
