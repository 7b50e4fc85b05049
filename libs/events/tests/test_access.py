"""Each party's NATS permissions name only what it does (decision 0026); pure, no server."""

import importlib

import pytest

from libs.events.access import permissions, provisioner_permissions, reader_rights
from libs.events.catalogue import CONTEXTS
from libs.events.settings import EventSettings

SERVICES = ("identity", "terminals", "audit", "fileshare", "gateway")
PUBLISHES = {
    "identity": {"identity", "signin"},
    "terminals": {"terminals"},
    "audit": set(),
    "fileshare": {"fileshare"},
    "gateway": set(),
}
EVENTS = EventSettings()


def allowed(name: str) -> tuple[list[str], list[str]]:
    rights = importlib.import_module(f"services.{name}.bus").RIGHTS
    perms = permissions(rights, EVENTS, "FUMIDAI_FILES")
    return perms["publish"]["allow"], perms["subscribe"]["allow"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_publishes_events_of_its_own_contexts_only(service: str) -> None:
    publish, _ = allowed(service)
    contexts = {
        subject.split(".")[1]
        for subject in publish
        if subject.startswith("fumidai.") and subject.endswith(".>")
    }
    assert contexts == PUBLISHES[service]
    created = {s.rsplit(".", 1)[1] for s in publish if ".STREAM.CREATE." in s}
    shared = {EVENTS.deadletter_stream, EVENTS.advisory_stream}
    own = {EVENTS.stream_name(c) for c in PUBLISHES[service]}
    assert created - shared - {"OBJ_FUMIDAI_FILES"} == own
    assert not any(s.endswith((".*", ".>")) and "$JS.API.STREAM" in s for s in publish)
    # Changing a stream could make it capture or source others' messages: no service may.
    assert not any(".STREAM.UPDATE." in s or ".STREAM.DELETE." in s for s in publish)


@pytest.mark.parametrize("service", SERVICES)
def test_no_one_but_fileshare_reaches_the_object_store(service: str) -> None:
    publish, _ = allowed(service)
    reaches = any("$O." in s or "OBJ_" in s for s in publish)
    assert reaches == (service == "fileshare")


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_hears_its_own_replies_only(service: str) -> None:
    _, subscribe = allowed(service)
    assert f"_INBOX.{service}.>" in subscribe
    assert not any(s.startswith("_INBOX") and s != f"_INBOX.{service}.>" for s in subscribe)
    assert "$JS.API.>" not in subscribe and ">" not in subscribe


def test_the_outside_reader_owns_one_durable_per_stream_and_publishes_nothing_else() -> None:
    perms = permissions(reader_rights("siem"), EVENTS)
    publish = perms["publish"]["allow"]
    assert not any(s.startswith(("fumidai.", "$O.")) for s in publish)
    assert not any(".STREAM.CREATE." in s or ".STREAM.UPDATE." in s for s in publish)
    durables = {s.split(".")[5] for s in publish if s.startswith("$JS.API.CONSUMER.CREATE.")}
    assert durables == {f"siem__{c}" for c in CONTEXTS}
    assert perms["subscribe"]["allow"] == ["_INBOX.siem.>"]


def test_the_provisioner_changes_streams_and_reads_no_message() -> None:
    perms = provisioner_permissions(EVENTS, "FUMIDAI_FILES")
    publish = perms["publish"]["allow"]
    updated = {s.rsplit(".", 1)[1] for s in publish if ".STREAM.UPDATE." in s}
    assert updated == {EVENTS.stream_name(c) for c in CONTEXTS} | {
        EVENTS.deadletter_stream,
        EVENTS.advisory_stream,
        "OBJ_FUMIDAI_FILES",
    }
    assert not any("CONSUMER" in s or "MSG" in s or "DIRECT" in s for s in publish)
    assert perms["subscribe"]["allow"] == ["_INBOX.provisioner.>"]


@pytest.mark.parametrize("name", ["identity", "provisioner", "Siem", "a.b", "x*", ""])
def test_a_reader_cannot_take_a_services_name_or_a_subject_wildcard(name: str) -> None:
    with pytest.raises(ValueError):
        reader_rights(name)
