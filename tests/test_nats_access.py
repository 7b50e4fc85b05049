"""Least privilege on the event bus (issue 16 item 1, decision 0026), against the session's
NATS with authorization on and the identities a suite gets: nothing anonymous; each service
only what its ``bus.py`` says; an outside reader reads and owns its durables, nothing else."""

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client as NATS
from nats.js.api import AckPolicy, ConsumerConfig, StreamSource

from libs.devservers import bus_identities
from libs.devservers.natsauth import NatsUser, connect_options
from libs.events.access import reader_durable
from libs.events.catalogue.identity import FacilityRegistered
from libs.events.codec import encode
from libs.events.envelope import SYSTEM, envelop
from libs.events.settings import EventSettings
from libs.events.streams import ensure_streams
from libs.events.subjects import subject_of
from libs.testing.servers import SessionServers
from services.fileshare.adapters.blobs import BlobStore

pytestmark = pytest.mark.timeout(120)


@dataclass
class Party:
    """A connection as one identity, with the errors the server sent it."""

    nc: NATS
    errors: list[str] = field(default_factory=list)

    @property
    def js(self) -> Any:
        return self.nc.jetstream(timeout=1.0)

    async def refused(self, action: Callable[[], Awaitable[object]], subject: str) -> None:
        """``action`` fails, and the server said it violates the permissions on a subject
        ending in ``subject``."""
        self.errors.clear()
        with pytest.raises(Exception):  # noqa: B017 - a timeout or the violation itself
            await action()
        await self.nc.flush()
        assert any("permissions violation" in e and subject.lower() in e for e in self.errors), (
            self.errors
        )


@dataclass
class Bus:
    events: EventSettings
    bucket: str
    users: dict[str, NatsUser]
    servers: SessionServers
    harness: NATS

    async def connect(self, name: str) -> Party:
        party = Party(nc=NATS())

        async def error(exc: Exception) -> None:
            party.errors.append(str(exc).lower())

        await party.nc.connect(
            self.servers.nats_url,
            allow_reconnect=False,
            error_cb=error,
            **connect_options(self.users[name]),
        )
        return party


@pytest.fixture
async def bus(servers: SessionServers, tmp_path: Path) -> AsyncIterator[Bus]:
    if servers.nats is None or not servers.nats.authorizing:
        pytest.skip("needs the embedded NATS server, which runs with authorization")
    tag = secrets.token_hex(4)
    env = {
        "FUMIDAI_EVENTS_SUBJECT_ROOT": f"a{tag}",
        "FUMIDAI_EVENTS_STREAM_PREFIX": f"A{tag.upper()}",
        "FUMIDAI_FILESHARE_BUCKET": f"A{tag.upper()}_FILES",
    }
    users, _ = bus_identities.issue(tmp_path / "keys", env)
    reader = bus_identities.reader_user("siem", env)
    servers.nats.authorize([*users, reader])
    harness = await nats.connect(servers.nats_url, **servers.nats_options())
    events = bus_identities.events_of(env)
    await ensure_streams(harness.jetstream(), events)
    yield Bus(
        events=events,
        bucket=env["FUMIDAI_FILESHARE_BUCKET"],
        users={user.name: user for user in [*users, reader]},
        servers=servers,
        harness=harness,
    )
    await harness.close()


def facility_event(code: str) -> Any:
    return envelop(
        FacilityRegistered(code=code, name=f"{code}-Hospital", domain="example.jp"),
        facility=code,
        aggregate_id=f"fac-{code}",
        version=1,
        actor=SYSTEM,
    )


async def messages(bus: Bus, context: str) -> int:
    return int(
        (await bus.harness.jetstream().stream_info(bus.events.stream_name(context))).state.messages
    )


async def test_an_anonymous_connection_is_refused(servers: SessionServers) -> None:
    if servers.nats is None or not servers.nats.authorizing:
        pytest.skip("needs the embedded NATS server, which runs with authorization")
    with pytest.raises(Exception, match="Authorization Violation"):
        await nats.connect(
            servers.nats_url, allow_reconnect=False, max_reconnect_attempts=1, connect_timeout=2
        )


async def test_fileshare_alone_reaches_the_object_store(bus: Bus) -> None:
    fileshare = await bus.connect("fileshare")
    blobs = BlobStore(fileshare.nc, bus.bucket, chunk_size=16384)
    await blobs.ensure()
    writer = blobs.writer("998/share/secret.txt")
    await writer.write(b"confidential" * 5000)
    await writer.close()
    assert b"".join([c async for c in await blobs.read("998/share/secret.txt")]).startswith(
        b"confidential"
    )

    stream = f"OBJ_{bus.bucket}"
    for name in ("terminals", "identity", "audit", "gateway", "siem"):
        other = await bus.connect(name)
        js = other.js
        await other.refused(
            lambda js=js: js.get_last_msg(stream, f"$O.{bus.bucket}.M.x"),
            f"$JS.API.STREAM.MSG.GET.{stream}",
        )
        await other.refused(
            lambda js=js: js.add_consumer(stream, ConsumerConfig(ack_policy=AckPolicy.NONE)),
            f"$JS.API.CONSUMER.CREATE.{stream}",
        )
        # Overwriting a scanned file means publishing chunks or infos into the bucket.
        await other.refused(
            lambda js=js: js.publish(f"$O.{bus.bucket}.C.x", b"evil"), f"$O.{bus.bucket}.C.x"
        )
        await other.nc.close()
    await fileshare.nc.close()


async def test_a_service_cannot_publish_another_contexts_events(bus: Bus) -> None:
    forged = facility_event("666")
    subject = subject_of(bus.events.subject_root, forged)
    before = await messages(bus, "identity")
    for name in ("terminals", "fileshare", "audit", "gateway", "siem"):
        party = await bus.connect(name)
        await party.refused(lambda p=party: p.js.publish(subject, encode(forged)), subject)
        await party.nc.close()
    assert await messages(bus, "identity") == before

    identity = await bus.connect("identity")
    await identity.js.publish(subject, encode(forged))  # its own context: allowed
    assert await messages(bus, "identity") == before + 1
    await identity.nc.close()


async def test_a_service_owns_its_consumers_and_no_others(bus: Bus) -> None:
    stream = bus.events.stream_name("identity")
    terminals = await bus.connect("terminals")
    await terminals.js.add_consumer(
        stream, ConsumerConfig(durable_name="terminals_directory__identity")
    )
    # Its own durable's info is what fumidai_consumer_lag is read from (issue 17).
    await bus.harness.jetstream().publish(
        f"{bus.events.subject_root}.identity.998.facility.fac-998.FacilityRegistered.v1", b"{}"
    )
    own = await terminals.js.consumer_info(stream, "terminals_directory__identity")
    assert own.num_pending == await messages(bus, "identity") >= 1
    for durable in ("audit_directory__identity", "siem__identity", "anything"):
        await terminals.refused(
            lambda d=durable: terminals.js.add_consumer(stream, ConsumerConfig(durable_name=d)),
            f"CREATE.{stream}.{durable}",
        )
    # Nor pull from another's consumer, nor list what the account holds.
    await terminals.refused(
        lambda: terminals.js.consumer_info(stream, "audit_directory__identity"),
        f"$JS.API.CONSUMER.INFO.{stream}.audit_directory__identity",
    )
    await terminals.refused(lambda: terminals.js.streams_info(), "$JS.API.STREAM.LIST")
    await terminals.refused(
        lambda: terminals.js.stream_info(bus.events.stream_name("fileshare")),
        f"$JS.API.STREAM.INFO.{bus.events.stream_name('fileshare')}",
    )
    await terminals.nc.close()


async def test_the_outside_reader_consumes_events_and_can_do_nothing_else(bus: Bus) -> None:
    identity = await bus.connect("identity")
    event = facility_event("998")
    await identity.js.publish(subject_of(bus.events.subject_root, event), encode(event))
    await identity.nc.close()

    siem = await bus.connect("siem")
    stream = bus.events.stream_name("identity")
    durable = reader_durable("siem", "identity")
    await siem.js.add_consumer(stream, ConsumerConfig(durable_name=durable))
    sub = await siem.js.pull_subscribe_bind(durable, stream=stream)
    [msg] = await sub.fetch(1, timeout=5)
    assert FacilityRegistered.__struct_config__.tag.encode() in msg.data
    await msg.ack()
    await siem.nc.flush()
    assert not siem.errors

    subject = f"{bus.events.subject_root}.identity.998.facility.x.FacilityRegistered"
    await siem.refused(lambda: siem.js.publish(subject, b"{}"), subject)
    await siem.refused(
        lambda: siem.js.add_consumer(
            stream, ConsumerConfig(durable_name="audit_directory__identity")
        ),
        f"CREATE.{stream}.audit_directory__identity",
    )
    await siem.refused(lambda: siem.js.delete_stream(stream), f"$JS.API.STREAM.DELETE.{stream}")
    await siem.nc.close()


async def test_no_service_can_change_a_stream_to_capture_others_messages(bus: Bus) -> None:
    """A stream made to source the object store (or capture others' replies) would hand its
    readers every file: services create their streams and change none, shared ones included."""
    fileshare_files = StreamSource(name=f"OBJ_{bus.bucket}")
    for name, stream in (
        ("terminals", bus.events.stream_name("terminals")),
        ("audit", bus.events.advisory_stream),
        ("identity", bus.events.deadletter_stream),
    ):
        party = await bus.connect(name)
        config = (await bus.harness.jetstream().stream_info(stream)).config
        config.sources = [fileshare_files]
        await party.refused(
            lambda p=party, c=config: p.js.update_stream(c), f"$JS.API.STREAM.UPDATE.{stream}"
        )
        await party.nc.close()
