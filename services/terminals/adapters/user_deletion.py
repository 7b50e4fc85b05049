"""terminals' reactions to other services' events, each with its own command.

identity's ``UserDeleted`` ends the user's live sessions (SPEC U5). The reaction runs
outside the projection's transaction, on its own durable consumer, once the projection
shows the user deleted (so no new session of the user can start any more); running it
again after a redelivery finds nothing left to end.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import asyncpg
import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from libs.aio.tasks import cancel_and_wait
from libs.events.catalogue.users import UserDeleted
from libs.events.codec import UndecodableEvent, decode
from libs.events.envelope import Envelope
from libs.events.heartbeat import in_hand
from libs.events.lag import export_lag
from libs.events.settings import EventSettings
from libs.events.subjects import filter_for

log = structlog.get_logger("reactions")

EndSessions = Callable[[Envelope], Awaitable[int]]


class ProjectionBehind(Exception):
    """The projection has not applied the deletion yet: react later."""


class UserDeletionReactor:
    """Ends a deleted user's sessions, driven by a durable consumer of ``UserDeleted``."""

    durable = "terminals_user_deleted__identity"
    lag_name = "terminals_user_deleted"
    """Its ``projection`` label on fumidai_consumer_lag."""

    def __init__(
        self,
        *,
        settings: EventSettings,
        end_sessions: EndSessions,
        projection_wait_s: float = 5.0,
    ) -> None:
        self._settings = settings
        self._end_sessions = end_sessions
        self._projection_wait_s = projection_wait_s
        self._pool: asyncpg.Pool | None = None
        self._task: asyncio.Task[None] | None = None
        self._lag: asyncio.Task[None] | None = None
        self._sub: JetStreamContext.PullSubscription | None = None
        self._stopping = False
        self.reacted = 0

    async def start(self, nc: NATS, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._stopping = False
        js = nc.jetstream()
        stream = self._settings.stream_name(UserDeleted.context)
        await js.add_consumer(
            stream,
            ConsumerConfig(
                durable_name=self.durable,
                deliver_policy=DeliverPolicy.ALL,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=self._settings.consumer_ack_wait_s,
                # Never given up on: a deleted user's sessions must end. A failing
                # message is retried with backoff and shows in the logs.
                max_deliver=-1,
                max_ack_pending=self._settings.consumer_max_ack_pending,
                filter_subject=filter_for(self._settings.subject_root, UserDeleted),
            ),
        )
        self._task = asyncio.create_task(self._run(nc, stream), name="reactor-user-deleted")
        # Its lag on the dashboard beside the projections': sessions of deleted users wait.
        lag = export_lag(
            js, self.lag_name, [(stream, self.durable)], self._settings.consumer_lag_interval_s
        )
        self._lag = asyncio.create_task(lag, name="reactor-user-deleted-lag")

    async def stop(self) -> None:
        self._stopping = True  # see ConsumerRunner.stop
        await cancel_and_wait(self._task, self._lag)
        self._task = self._lag = None
        if self._sub is not None:
            # Or draining the connection would wait for replies to a cancelled fetch.
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self, nc: NATS, stream: str) -> None:
        js = nc.jetstream()
        while not self._stopping:
            try:
                self._sub = sub = await js.pull_subscribe_bind(self.durable, stream=stream)
                while not self._stopping:
                    try:
                        msgs = await sub.fetch(50, timeout=1.0)
                    except (TimeoutError, NatsTimeoutError):
                        continue
                    # Each waits up to projection_wait_s for the projection: the ones
                    # behind it in the batch are kept in hand meanwhile (heartbeat.py).
                    async with in_hand(msgs, self._settings.consumer_ack_wait_s):
                        for msg in msgs:
                            await self._handle(msg)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep reacting through NATS or Postgres outages
                log.warning("reactor_error", error=repr(error))
                await asyncio.sleep(1.0)

    async def _handle(self, msg: Msg) -> None:
        try:
            envelope = decode(msg.data)
        except UndecodableEvent as error:
            log.error("reactor_undecodable", error=str(error))
            await msg.term()
            return
        try:
            await self._wait_for_projection(envelope)
            ended = await self._end_sessions(envelope)
        except Exception as error:
            attempt = msg.metadata.num_delivered or 1
            delays = self._settings.nak_backoff_s or (1.0,)
            log.warning(
                "reaction_failed", event_id=envelope.event_id, attempt=attempt, error=repr(error)
            )
            await msg.nak(delay=delays[min(attempt, len(delays)) - 1])
            return
        await msg.ack()
        self.reacted += 1
        if ended:
            log.info("user_sessions_ended", event_id=envelope.event_id, sessions=ended)

    async def _wait_for_projection(self, envelope: Envelope) -> None:
        assert self._pool is not None
        deadline = time.monotonic() + self._projection_wait_s
        while not await self._pool.fetchval(
            "SELECT EXISTS (SELECT 1 FROM access_users WHERE user_id = $1 AND deleted)",
            envelope.aggregate_id,
        ):
            if time.monotonic() > deadline:
                raise ProjectionBehind(envelope.event_id)
            await asyncio.sleep(0.05)
