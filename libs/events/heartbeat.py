"""Keeps fetched messages in hand while they are worked on.

JetStream redelivers a message not acknowledged within the consumer's ack wait. A short
ack wait brings back what a killed replica had fetched soon after it died; a heartbeat
keeps it from bringing back what a live one is still applying, however long that takes:
every third of the ack wait, an in-progress ack (``+WPI``) for each message not yet
acknowledged, nak'ed or terminated.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

import structlog
from nats.aio.msg import Msg

from libs.aio.tasks import cancel_and_wait

log = structlog.get_logger("consumer")

BEATS_PER_ACK_WAIT = 3
"""In-progress acks per ack wait: two may be lost or late before a redelivery."""


@contextlib.asynccontextmanager
async def in_hand(msgs: Sequence[Msg], ack_wait_s: float) -> AsyncIterator[None]:
    """While the block runs, tell JetStream every ``ack_wait_s / 3`` that ``msgs`` are
    being worked on; the ones the block acknowledges on the way are left out."""
    beat = asyncio.create_task(_beat(list(msgs), ack_wait_s / BEATS_PER_ACK_WAIT))
    try:
        yield
    finally:
        await cancel_and_wait(beat)


async def _beat(msgs: list[Msg], every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        for msg in msgs:
            if msg.is_acked:
                continue  # a +WPI after a nak would put its backoff off to a full ack wait
            try:
                await msg.in_progress()
            except Exception as error:  # the connection is away: the wait decides, as before
                log.warning("in_progress_failed", error=repr(error))
                break
