"""The consumer runner: keeps a projection up to date from JetStream.

Per fetched batch, one Postgres transaction records the event ids in the inbox and
applies only the new ones; the acks go out after the commit. A crash between commit and
ack leads to a redelivery that the inbox turns into a no-op. A batch that fails is
replayed one message per transaction so one poison message cannot hold back the rest:
it is nak'ed with backoff until ``max_deliver``, and undecodable bytes are terminated at
once; both advisories move it to the dead-letter stream (``deadletter.py``). While a
batch is applied its messages are kept in hand (``heartbeat.py``): the ack wait only
decides when a dead replica's messages come again, not how long a batch may take.

An event whose type belongs to another context than the stream it came on is refused
the same way, terminated with the reason ``wrong_context``: a service may publish on its
own context's subjects only, so such an event is one it forged (decision 0026).
"""

import asyncio
import contextlib
import time
import zlib
from collections.abc import Awaitable, Callable
from functools import partial
from itertools import groupby

import asyncpg
import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from libs.aio.tasks import cancel_and_wait
from libs.events import metrics
from libs.events.codec import UndecodableEvent, decode
from libs.events.correlation import correlated
from libs.events.envelope import Envelope
from libs.events.heartbeat import in_hand
from libs.events.lag import export_lag, pending
from libs.events.projection import Projection, contexts_of
from libs.events.settings import EventSettings
from libs.events.streams import while_electing
from libs.events.subjects import filter_for
from libs.postgres.connection import Connection

log = structlog.get_logger("consumer")

AfterCommit = Callable[[list[Msg]], Awaitable[None]]
"""Called with committed messages before they are acked, under their events' correlation id
(a batch's events of several stories make one call per run of one story)."""

WRONG_CONTEXT = "wrong_context"
"""The termination reason of an event that is not its stream's context's."""


async def terminate(msg: Msg, reason: str) -> None:
    """Stop redeliveries of ``msg``, giving JetStream a reason its advisory carries."""
    # nats-py's Msg.term() sends no reason, and Msg.respond() would echo the message's
    # headers: the acknowledgement protocol's "+TERM <reason>" goes out as is.
    await msg._client.publish(msg.reply, b"+TERM " + reason.encode())


def projection_lock_key(name: str) -> int:
    """Advisory lock key a rebuild takes exclusively to swap a projection's tables."""
    return zlib.crc32(f"fumidai-projection:{name}".encode())


def durable_name(projection: Projection, context: str) -> str:
    return f"{projection.name}__{context}"


def consumer_config(
    projection: Projection, context: str, settings: EventSettings
) -> ConsumerConfig:
    """The durable pull consumer of ``projection`` on ``context``'s stream."""
    filters = sorted(
        filter_for(settings.subject_root, event)
        for event in projection.events
        if event.context == context
    )
    return ConsumerConfig(
        durable_name=durable_name(projection, context),
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=settings.consumer_ack_wait_s,
        max_deliver=settings.consumer_max_deliver,
        max_ack_pending=settings.consumer_max_ack_pending,
        filter_subjects=filters if len(filters) > 1 else None,
        filter_subject=filters[0] if len(filters) == 1 else None,
    )


async def apply_batch(
    conn: Connection,
    projection: Projection,
    envelopes: list[Envelope],
    *,
    live: bool = True,
) -> int:
    """Record ``envelopes`` in the inbox and apply the ones not seen before; return how many.

    Runs inside the caller's transaction. ``live`` writes take the projection's lock
    shared, so a rebuild can hold them off while it swaps tables.
    """
    if live:
        await conn.execute(
            "SELECT pg_advisory_xact_lock_shared($1)", projection_lock_key(projection.name)
        )
    fresh = await conn.fetch(
        """INSERT INTO inbox (projection, event_id)
           SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id::text""",
        projection.name,
        [env.event_id for env in envelopes],
    )
    new_ids = {row["event_id"] for row in fresh}
    todo = []
    for envelope in envelopes:
        if envelope.event_id in new_ids:
            todo.append(envelope)
            new_ids.discard(envelope.event_id)  # the same id twice in one batch applies once
    apply_many = getattr(projection, "apply_many", None)
    if apply_many is not None and len(todo) > 1:
        for envelope in todo:
            _applying(projection, envelope)
        await apply_many(conn, todo)
    else:
        for envelope in todo:
            # What the projection logs or appends while applying names the event's story.
            with correlated(envelope.correlation_id):
                _applying(projection, envelope)
                await projection.apply(conn, envelope)
    return len(fresh)


def _applying(projection: Projection, envelope: Envelope) -> None:
    """A debug line per event applied, under the event's correlation id."""
    with correlated(envelope.correlation_id):
        log.debug(
            "event_applied",
            projection=projection.name,
            event_id=envelope.event_id,
            type=envelope.type,
        )


class ConsumerRunner:
    """Runs one projection: one durable pull consumer per context it reads."""

    def __init__(
        self,
        *,
        projection: Projection,
        pool: asyncpg.Pool,
        nc: NATS,
        settings: EventSettings,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self.projection = projection
        self._pool = pool
        self._js: JetStreamContext = nc.jetstream()
        self._settings = settings
        self._after_commit = after_commit
        self._tasks: list[asyncio.Task[None]] = []
        self._subs: list[JetStreamContext.PullSubscription] = []
        self.applied = 0
        self._stopping = False

    async def start(self) -> None:
        """Create or update the durables and start fetching."""
        self._stopping = False
        for context in contexts_of(self.projection):
            stream = self._settings.stream_name(context)
            config = consumer_config(self.projection, context, self._settings)
            await while_electing(partial(self._js.add_consumer, stream, config))
            self._tasks.append(
                asyncio.create_task(
                    self._run(stream, context), name=f"consumer-{self.projection.name}-{context}"
                )
            )
        lag = export_lag(
            self._js,
            self.projection.name,
            self._durables(),
            self._settings.consumer_lag_interval_s,
        )
        self._tasks.append(asyncio.create_task(lag, name=f"consumer-lag-{self.projection.name}"))

    async def stop(self) -> None:
        # The flag as well as the cancel: nats-py's fetch uses asyncio.wait_for, which on
        # Python 3.11 can swallow a cancel that races its timeout.
        self._stopping = True
        await cancel_and_wait(*self._tasks)
        self._tasks = []
        # nats-py leaves messages a fetch took from its queue unmarked as done, and draining
        # the connection then waits for them until its timeout: unsubscribe first.
        for sub in self._subs:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        self._subs = []

    @property
    def running(self) -> bool:
        return bool(self._tasks) and all(not task.done() for task in self._tasks)

    def _durables(self) -> list[tuple[str, str]]:
        return [
            (self._settings.stream_name(context), durable_name(self.projection, context))
            for context in contexts_of(self.projection)
        ]

    async def lag(self) -> int:
        """Messages not yet acknowledged across this projection's consumers."""
        total = await pending(self._js, self._durables())
        metrics.CONSUMER_LAG.labels(self.projection.name).set(total)
        return total

    async def _run(self, stream: str, context: str) -> None:
        durable = durable_name(self.projection, context)
        while not self._stopping:
            try:
                sub = await self._js.pull_subscribe_bind(durable, stream=stream)
                self._subs.append(sub)
                while not self._stopping:
                    try:
                        msgs = await sub.fetch(self._settings.consumer_batch, timeout=1.0)
                    except (TimeoutError, NatsTimeoutError):
                        continue
                    await self._handle(msgs, context)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep consuming through NATS or Postgres outages
                log.warning("consumer_error", projection=self.projection.name, error=repr(error))
                await asyncio.sleep(1.0)

    async def _handle(self, msgs: list[Msg], context: str) -> None:
        decoded: list[tuple[Msg, Envelope]] = []
        for msg in msgs:
            try:
                envelope = decode(msg.data)
            except UndecodableEvent as error:
                log.error("consumer_undecodable", projection=self.projection.name, error=str(error))
                metrics.CONSUMER_FAILURES.labels(self.projection.name).inc()
                await msg.term()
                continue
            if envelope.context != context:
                log.error(
                    "consumer_wrong_context",
                    projection=self.projection.name,
                    stream_context=context,
                    event_id=envelope.event_id,
                    type=envelope.type,
                    subject=msg.subject,
                )
                metrics.CONSUMER_FAILURES.labels(self.projection.name).inc()
                await terminate(msg, WRONG_CONTEXT)
                continue
            decoded.append((msg, envelope))
        if not decoded:
            return
        # However long the batch takes, JetStream must not hand its messages to another
        # replica meanwhile: the ack wait is short so a dead replica's come back soon.
        async with in_hand([msg for msg, _ in decoded], self._settings.consumer_ack_wait_s):
            await self._apply(decoded)

    async def _apply(self, decoded: list[tuple[Msg, Envelope]]) -> None:
        started = time.perf_counter()
        try:
            await self._commit([env for _, env in decoded])
        except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
            raise  # Postgres is away: let the messages redeliver after ack_wait
        except Exception as error:
            log.warning("consumer_batch_failed", projection=self.projection.name, error=repr(error))
            for msg, env in decoded:
                await self._one(msg, env)
            return
        metrics.CONSUME_SECONDS.labels(self.projection.name).observe(time.perf_counter() - started)
        await self._committed(decoded)
        for msg, _ in decoded:
            await msg.ack()
        self.applied += len(decoded)
        metrics.EVENTS_CONSUMED.labels(self.projection.name, "applied").inc(len(decoded))

    async def _committed(self, decoded: list[tuple[Msg, Envelope]]) -> None:
        """The after-commit hook, once per run of events sharing a correlation id and under
        it: what the hook logs or sends names the story of the events it follows."""
        if self._after_commit is None:
            return
        for correlation_id, run in groupby(decoded, key=lambda pair: pair[1].correlation_id):
            with correlated(correlation_id):
                await self._after_commit([msg for msg, _ in run])

    async def _commit(self, envelopes: list[Envelope]) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            return await apply_batch(conn, self.projection, envelopes)

    async def _one(self, msg: Msg, envelope: Envelope) -> None:
        with correlated(envelope.correlation_id):
            await self._one_correlated(msg, envelope)

    async def _one_correlated(self, msg: Msg, envelope: Envelope) -> None:
        try:
            await self._commit([envelope])
        except Exception as error:
            metrics.CONSUMER_FAILURES.labels(self.projection.name).inc()
            attempt = msg.metadata.num_delivered or 1
            delays = self._settings.nak_backoff_s
            delay = delays[min(attempt, len(delays)) - 1] if delays else 1.0
            log.error(
                "consumer_message_failed",
                projection=self.projection.name,
                event_id=envelope.event_id,
                type=envelope.type,
                attempt=attempt,
                error=repr(error),
            )
            await msg.nak(delay=delay)
            return
        if self._after_commit is not None:
            await self._after_commit([msg])
        await msg.ack()
        self.applied += 1
        metrics.EVENTS_CONSUMED.labels(self.projection.name, "applied").inc()
