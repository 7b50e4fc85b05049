"""Reading a whole stream back, for assertions."""

from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from libs.events.codec import decode
from libs.events.envelope import Envelope


async def stream_contents(nc: NATS, stream: str) -> list[Envelope]:
    """Every message of ``stream``, decoded, in stream order."""
    js = nc.jetstream()
    info = await js.stream_info(stream)
    if info.state.messages == 0:
        return []
    sub = await js.pull_subscribe(
        "",
        stream=stream,
        config=ConsumerConfig(
            deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30
        ),
    )
    out: list[Envelope] = []
    while len(out) < info.state.messages:
        try:
            msgs = await sub.fetch(1000, timeout=2.0)
        except (TimeoutError, NatsTimeoutError):
            break
        out.extend(decode(m.data) for m in msgs)
    await sub.unsubscribe()
    return out
