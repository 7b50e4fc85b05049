"""JetStream provisioning from settings: one stream per context, dead letters, advisories."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import structlog
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError, ServiceUnavailableError

from libs.events.catalogue import CONTEXTS
from libs.events.settings import KEPT_FOREVER, EventSettings
from libs.events.subjects import context_subjects

log = structlog.get_logger("streams")

_DAY = 86400.0

T = TypeVar("T")

SLOW_ANSWERS = (TimeoutError, NatsTimeoutError, ServiceUnavailableError)
"""What JetStream's API answers while a cluster elects leaders (or, under load, late)."""


async def while_electing(call: Callable[[], Awaitable[T]], attempts: int = 10) -> T:
    """``call()``, again after a growing pause while JetStream answers late: replicas
    starting together on a fresh cluster create R3 consumers and buckets at once, and each
    needs a leader elected (decision 0039). The last slow answer reaches the caller."""
    for attempt in range(1, attempts):
        try:
            return await call()
        except SLOW_ANSWERS:
            await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
    return await call()


# The consumer advisories that mean "this message will not be delivered again".
DEAD_ADVISORIES = ("MAX_DELIVERIES", "MSG_TERMINATED")


def stream_configs(
    settings: EventSettings, contexts: Sequence[str] = CONTEXTS, *, shared: bool = True
) -> list[StreamConfig]:
    """The streams of ``contexts`` and (``shared``) the dead-letter and advisory streams,
    as configured by ``settings``; by default every stream the suite needs."""
    configs = [
        StreamConfig(
            name=settings.stream_name(context),
            subjects=[context_subjects(settings.subject_root, context)],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            num_replicas=settings.replicas,
            duplicate_window=settings.duplicate_window_s,
            max_age=settings.stream_max_age_days(context) * _DAY,
            # A stream kept forever must never drop its oldest events to make room: at
            # JetStream's storage limit it refuses new ones, which wait in the owner's
            # outbox (the relay retries) until an operator adds storage (decision 0036).
            discard=DiscardPolicy.NEW if context in KEPT_FOREVER else DiscardPolicy.OLD,
            allow_direct=True,
        )
        for context in contexts
    ]
    if not shared:
        return configs
    configs.append(
        StreamConfig(
            name=settings.deadletter_stream,
            subjects=[f"{settings.subject_root}.deadletter.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            num_replicas=settings.replicas,
            duplicate_window=settings.duplicate_window_s,
            max_age=settings.max_age_days * _DAY,
        )
    )
    # Advisories are fire-and-forget core messages; capturing them in a stream means a
    # dead letter is not lost while the service that moves it is down.
    configs.append(
        StreamConfig(
            name=settings.advisory_stream,
            subjects=[
                f"$JS.EVENT.ADVISORY.CONSUMER.{kind}.{settings.stream_name(context)}.*"
                for kind in DEAD_ADVISORIES
                for context in CONTEXTS
            ],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            num_replicas=settings.replicas,
            max_age=30 * _DAY,
        )
    )
    return configs


async def ensure_streams(
    js: JetStreamContext,
    settings: EventSettings,
    attempts: int = 10,
    *,
    contexts: Sequence[str] = CONTEXTS,
    shared: bool = True,
    update: bool = True,
) -> None:
    """Create the streams (see ``stream_configs``), or bring existing ones to the settings
    (``update``; else an existing stream is left as it is).

    Retries on timeouts: replicas starting together on a fresh cluster race to create
    the same streams, and a cluster electing its stream leaders answers slowly.
    """
    for config in stream_configs(settings, contexts, shared=shared):
        assert config.name is not None
        for attempt in range(1, attempts + 1):
            try:
                try:
                    info = await js.stream_info(config.name)
                except NotFoundError:
                    await js.add_stream(config)
                else:
                    if update:
                        await js.update_stream(config)
                    elif _differs(info.config, config):
                        log.warning(
                            "stream_settings_differ",
                            stream=config.name,
                            hint="the provisioner updates streams (deploy/README.md)",
                        )
                break
            except (TimeoutError, NatsTimeoutError, ServiceUnavailableError):
                if attempt == attempts:
                    raise
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))


def _differs(actual: StreamConfig, wanted: StreamConfig) -> bool:
    """A setting we give (None or 0: the server's default) that the stream does not have.

    max_age and discard always count: 0 is "forever", and a stream made before decision
    0036 with 800 days must be reported, not taken as matching."""
    fields = ("subjects", "num_replicas", "duplicate_window")
    given = any(getattr(wanted, f) and getattr(actual, f) != getattr(wanted, f) for f in fields)
    return (
        given or (actual.max_age or 0) != (wanted.max_age or 0) or actual.discard != wanted.discard
    )


async def await_streams(js: JetStreamContext, names: Sequence[str], timeout: float = 120.0) -> None:
    """Return once every stream in ``names`` exists: streams another service provisions."""
    deadline = time.monotonic() + timeout
    for name in names:
        while True:
            try:
                await js.stream_info(name)
                break
            except NotFoundError:
                if time.monotonic() > deadline:
                    raise
                log.info("stream_awaited", stream=name)
                await asyncio.sleep(0.2)
            except (TimeoutError, NatsTimeoutError, ServiceUnavailableError):
                if time.monotonic() > deadline:
                    raise
