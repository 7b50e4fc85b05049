"""``fumidai_consumer_lag``, kept current on a timer for every durable consumer a service
runs (projections and reactions alike).

On a timer rather than per batch: a consumer that is stuck or starved fetches nothing, and
its lag is what matters then. Reading a durable's info is allowed to the service that owns
it under its least-privilege NATS identity (libs/events/access.py), and to no other.
"""

import asyncio
from collections.abc import Iterable

import structlog
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from libs.events import metrics

log = structlog.get_logger("consumer_lag")


async def pending(js: JetStreamContext, durables: Iterable[tuple[str, str]]) -> int:
    """Messages not yet acknowledged across ``durables`` ((stream, durable) pairs); a
    durable not made yet counts nothing."""
    total = 0
    for stream, durable in durables:
        try:
            info = await js.consumer_info(stream, durable)
        except NotFoundError:
            continue
        total += info.num_pending + info.num_ack_pending
    return total


async def export_lag(
    js: JetStreamContext, name: str, durables: list[tuple[str, str]], interval_s: float
) -> None:
    """Set the gauge for ``name`` every ``interval_s`` until cancelled."""
    while True:
        try:
            metrics.CONSUMER_LAG.labels(name).set(await pending(js, durables))
        except Exception as error:  # NATS away: the gauge keeps its last value
            log.warning("consumer_lag_unknown", consumer=name, error=repr(error))
        await asyncio.sleep(interval_s)
