"""Moves messages a consumer gave up on into the dead-letter stream.

JetStream announces them with advisories (MAX_DELIVERIES, MSG_TERMINATED) naming the
stream sequence; the advisory stream keeps those announcements, and this mover copies
each original message to ``<root>.deadletter.<stream>.<consumer>`` with the reason in
headers, counts it, and acks the advisory. Replaying a dead letter is an operator's act.
"""

import asyncio
import contextlib
import json
from collections.abc import Sequence

import structlog
from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from libs.aio.tasks import cancel_and_wait
from libs.events import metrics
from libs.events.consumer import WRONG_CONTEXT, durable_name
from libs.events.heartbeat import in_hand
from libs.events.projection import Projection, contexts_of
from libs.events.settings import EventSettings
from libs.events.streams import DEAD_ADVISORIES
from libs.events.subjects import deadletter_subject

log = structlog.get_logger("deadletter")


class DeadLetterMover:
    """Watches the advisories of one service's consumers and moves their dead letters."""

    def __init__(
        self,
        *,
        service: str,
        projections: Sequence[Projection],
        nc: NATS,
        settings: EventSettings,
    ) -> None:
        self._service = service
        self._projections = projections
        self._js: JetStreamContext = nc.jetstream()
        self._settings = settings
        self._task: asyncio.Task[None] | None = None
        self._sub: JetStreamContext.PullSubscription | None = None
        self.moved = 0
        self._stopping = False

    def filters(self) -> list[str]:
        """Advisory subjects of this service's durables."""
        return sorted(
            f"$JS.EVENT.ADVISORY.CONSUMER.{kind}.{self._settings.stream_name(context)}."
            f"{durable_name(projection, context)}"
            for projection in self._projections
            for context in contexts_of(projection)
            for kind in DEAD_ADVISORIES
        )

    async def start(self) -> None:
        durable = f"deadletters__{self._service}"
        filters = self.filters()
        if not filters:
            return
        await self._js.add_consumer(
            self._settings.advisory_stream,
            ConsumerConfig(
                durable_name=durable,
                deliver_policy=DeliverPolicy.ALL,
                ack_policy=AckPolicy.EXPLICIT,
                max_deliver=-1,
                ack_wait=self._settings.consumer_ack_wait_s,
                filter_subjects=filters if len(filters) > 1 else None,
                filter_subject=filters[0] if len(filters) == 1 else None,
            ),
        )
        self._task = asyncio.create_task(self._run(durable), name=f"deadletters-{self._service}")

    async def stop(self) -> None:
        self._stopping = True  # see ConsumerRunner.stop
        await cancel_and_wait(self._task)
        self._task = None
        if self._sub is not None:  # see ConsumerRunner.stop: lets the connection drain
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None

    async def _run(self, durable: str) -> None:
        while not self._stopping:
            try:
                self._sub = sub = await self._js.pull_subscribe_bind(
                    durable, stream=self._settings.advisory_stream
                )
                while not self._stopping:
                    try:
                        advisories = await sub.fetch(50, timeout=1.0)
                    except (TimeoutError, NatsTimeoutError):
                        continue
                    async with in_hand(advisories, self._settings.consumer_ack_wait_s):
                        for advisory in advisories:
                            await self._move(json.loads(advisory.data), advisory.subject)
                            await advisory.ack()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("deadletter_error", service=self._service, error=repr(error))
                await asyncio.sleep(1.0)

    async def _move(self, advisory: dict[str, object], subject: str) -> None:
        stream = str(advisory["stream"])
        consumer = str(advisory["consumer"])
        seq = int(str(advisory["stream_seq"]))
        reason = _reason(advisory, subject)
        headers = {
            "Nats-Msg-Id": f"{stream}:{seq}:{consumer}",
            "Fumidai-Dead-Reason": reason,
            "Fumidai-Dead-Stream": stream,
            "Fumidai-Dead-Seq": str(seq),
            "Fumidai-Dead-Consumer": consumer,
        }
        try:
            original = await self._js.get_msg(stream, seq)
        except NotFoundError:
            # Aged out of its stream already: record the fact without the payload.
            data = b""
            headers["Fumidai-Dead-Lost"] = "true"
        else:
            data = original.data or b""
            headers["Fumidai-Dead-Subject"] = original.subject or ""
        await self._js.publish(
            deadletter_subject(self._settings.subject_root, stream, consumer),
            data,
            headers=headers,
        )
        self.moved += 1
        metrics.DEAD_LETTERS.labels(consumer, reason).inc()
        log.error("dead_letter", stream=stream, seq=seq, consumer=consumer, reason=reason)


def _reason(advisory: dict[str, object], subject: str) -> str:
    """Why the message died: ``max_deliveries``, ``terminated``, or the reason a consumer
    of ours gave when terminating it (one we know: the label set stays bounded)."""
    if ".MSG_TERMINATED." not in subject:
        return "max_deliveries"
    return WRONG_CONTEXT if advisory.get("reason") == WRONG_CONTEXT else "terminated"
