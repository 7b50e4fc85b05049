"""Who may do what on the event bus: each party's NATS permissions, from what it does.

A party (a service, an outside reader) declares what it does on the bus in ``BusRights``:
the contexts it publishes, the durable consumers it owns, the core subjects it signals on,
whether it keeps the object store. ``permissions`` turns that into the allow-lists of one
NATS user; everything not allowed is denied (decision 0026). Subjects and stream names
come from ``EventSettings``, so one suite's identities never reach another's streams.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from libs.events.catalogue import CONTEXTS
from libs.events.consumer import durable_name
from libs.events.projection import Projection, contexts_of
from libs.events.settings import EventSettings
from libs.events.subjects import deadletter_subject

API = "$JS.API"

PROVISIONER = "provisioner"
"""The name of the operator's identity that creates streams and changes their settings."""
_ADMIN = ("INFO", "CREATE", "UPDATE")

Permissions = dict[str, dict[str, list[str]]]
"""``{"publish": {"allow": [...]}, "subscribe": {"allow": [...]}}``, as nats-server reads it."""


@dataclass(frozen=True)
class BusRights:
    """What one party does on the bus; its NATS user gets exactly the rights for it."""

    name: str
    """The party's name: its NATS identity and the token after ``_INBOX.`` of its replies."""
    publishes: tuple[str, ...] = ()
    """Contexts whose events it publishes (its relay) and whose streams it provisions."""
    durables: tuple[tuple[str, str], ...] = ()
    """(context, durable name) of each consumer it owns on an event stream."""
    dead_letters: bool = False
    """Moves its consumers' dead letters (an advisory durable, the dead-letter subjects)."""
    signals: tuple[str, ...] = ()
    """Tokens ``x`` of the core subjects ``<root>.signal.x.*`` it sends and hears."""
    object_store: bool = False
    """Keeps the shared files' object store (fileshare only)."""


def inbox_prefix(name: str) -> str:
    """The reply-subject prefix of party ``name``: nobody else may hear its replies."""
    return f"_INBOX.{name}"


def rebuild_durable(projection: Projection, context: str) -> str:
    """The consumer a rebuild of ``projection`` reads ``context``'s stream with."""
    return f"rebuild__{projection.name}__{context}"


def projection_durables(projections: Iterable[Projection]) -> tuple[tuple[str, str], ...]:
    """The live and rebuild consumers of ``projections``: (context, durable name)."""
    return tuple(
        (context, name)
        for projection in projections
        for context in contexts_of(projection)
        for name in (durable_name(projection, context), rebuild_durable(projection, context))
    )


def service_rights(
    name: str,
    *,
    publishes: Sequence[str] = (),
    projections: Sequence[Projection] = (),
    durables: Sequence[tuple[str, str]] = (),
    signals: Sequence[str] = (),
    object_store: bool = False,
) -> BusRights:
    """A service's rights: its events, its projections' consumers and dead letters, extras."""
    return BusRights(
        name=name,
        publishes=tuple(publishes),
        durables=(*projection_durables(projections), *durables),
        dead_letters=bool(projections),
        signals=tuple(signals),
        object_store=object_store,
    )


def reader_durable(prefix: str, context: str) -> str:
    """The one durable consumer an outside reader ``prefix`` may own on ``context``'s stream."""
    return f"{prefix}__{context}"


READER_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
"""An outside reader's name: one subject token, and a durable name's first part."""
RESERVED = frozenset(
    {"identity", "terminals", "audit", "fileshare", "gateway", PROVISIONER, "harness", "probe"}
)


def reader_rights(prefix: str) -> BusRights:
    """An audit consumer or SIEM outside the suite: reads every context, owns only its
    durables ``<prefix>__<context>``; publishes nothing, no object store."""
    if not READER_NAME.match(prefix) or prefix in RESERVED:
        raise ValueError(
            f"a reader's name is lower-case letters, digits and '-', and not a service's "
            f"or the provisioner's: {prefix!r}"
        )
    return BusRights(name=prefix, durables=tuple((c, reader_durable(prefix, c)) for c in CONTEXTS))


def permissions(rights: BusRights, events: EventSettings, bucket: str = "") -> Permissions:
    """The NATS permissions of ``rights`` on the streams named by ``events``.

    ``bucket``: the object store's bucket, for a party with ``object_store``.
    """
    publish = [f"{API}.INFO"]
    subscribe = [f"{inbox_prefix(rights.name)}.>"]
    for context in rights.publishes:
        publish.append(f"{events.subject_root}.{context}.>")
        publish += _provision(events.stream_name(context))
    for context, durable in rights.durables:
        stream = events.stream_name(context)
        publish += [f"{API}.STREAM.INFO.{stream}", *_consumer(stream, durable)]
    if rights.dead_letters:
        publish += _dead_letters(rights, events)
    for token in rights.signals:
        subject = f"{events.subject_root}.signal.{token}.*"
        publish.append(subject)
        subscribe.append(subject)
    if rights.object_store:
        if not bucket:
            raise ValueError(f"{rights.name} keeps the object store: name its bucket")
        publish += _object_store(bucket)
    return {
        "publish": {"allow": list(dict.fromkeys(publish))},
        "subscribe": {"allow": list(dict.fromkeys(subscribe))},
    }


def provisioner_permissions(events: EventSettings, bucket: str) -> Permissions:
    """An operator's tool that creates the suite's streams and brings them to the settings
    (replicas, ages): every stream's info, create and update; no message of any stream.

    Services create their own streams but change none (an update could make a stream
    capture or source others' messages); changing a stream's settings is this tool's job.
    """
    streams = [events.stream_name(c) for c in CONTEXTS]
    streams += [events.deadletter_stream, events.advisory_stream, f"OBJ_{bucket}"]
    return {
        "publish": {
            "allow": [f"{API}.INFO", *(f"{API}.STREAM.{v}.{s}" for s in streams for v in _ADMIN)]
        },
        "subscribe": {"allow": [f"{inbox_prefix(PROVISIONER)}.>"]},
    }


def _provision(stream: str) -> list[str]:
    """Its own stream: look at it, create it; never change it (see provisioner_permissions)."""
    return [f"{API}.STREAM.{verb}.{stream}" for verb in ("INFO", "CREATE")]


def _consumer(stream: str, durable: str) -> list[str]:
    """Create (either API form), look at, delete, pull from and acknowledge one durable."""
    return [
        f"{API}.CONSUMER.CREATE.{stream}.{durable}",
        f"{API}.CONSUMER.CREATE.{stream}.{durable}.>",  # the form naming its filter
        f"{API}.CONSUMER.DURABLE.CREATE.{stream}.{durable}",
        f"{API}.CONSUMER.INFO.{stream}.{durable}",
        f"{API}.CONSUMER.DELETE.{stream}.{durable}",
        f"{API}.CONSUMER.MSG.NEXT.{stream}.{durable}",
        f"$JS.ACK.{stream}.{durable}.>",
    ]


def _dead_letters(rights: BusRights, events: EventSettings) -> list[str]:
    """The shared dead-letter and advisory streams, one advisory durable, and for each
    consumer the original message's read and its dead-letter subject."""
    # Create, never update: an update could make a shared stream capture or source others'
    # messages, which this party's advisory consumer would then read.
    allowed = [*_provision(events.deadletter_stream), *_provision(events.advisory_stream)]
    allowed += _consumer(events.advisory_stream, f"deadletters__{rights.name}")
    for context, durable in rights.durables:
        stream = events.stream_name(context)
        allowed.append(f"{API}.STREAM.MSG.GET.{stream}")
        allowed.append(deadletter_subject(events.subject_root, stream, durable))
    return allowed


def _object_store(bucket: str) -> list[str]:
    """Write chunks and infos, read them (direct gets, short-lived ordered consumers), purge."""
    stream = f"OBJ_{bucket}"
    return [
        f"$O.{bucket}.>",
        *_provision(stream),
        f"{API}.STREAM.PURGE.{stream}",
        f"{API}.STREAM.MSG.GET.{stream}",
        f"{API}.DIRECT.GET.{stream}",
        f"{API}.DIRECT.GET.{stream}.>",
        f"{API}.CONSUMER.CREATE.{stream}",
        f"{API}.CONSUMER.CREATE.{stream}.>",
        f"{API}.CONSUMER.INFO.{stream}.*",
        f"{API}.CONSUMER.DELETE.{stream}.*",
        f"{API}.CONSUMER.MSG.NEXT.{stream}.*",
    ]
