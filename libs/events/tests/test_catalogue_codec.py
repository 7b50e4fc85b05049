"""The catalogue and the codec: every type round-trips; old versions are upcast."""

import typing
import uuid
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.events import codec
from libs.events.catalogue import ALL_EVENTS, EVENTS_BY_TAG, AnyEvent
from libs.events.catalogue.probe import ProbeRecorded
from libs.events.codec import UndecodableEvent, decode, encode
from libs.events.ids import new_id, uuid7
from libs.events.tests.probes import probe


def test_the_static_union_names_every_catalogued_event() -> None:
    assert set(typing.get_args(AnyEvent)) == set(ALL_EVENTS)


def test_tags_are_versioned_and_unique() -> None:
    assert len(EVENTS_BY_TAG) == len(ALL_EVENTS)
    for tag in EVENTS_BY_TAG:
        name, _, version = tag.partition(".")
        assert name and version.startswith("v") and version[1:].isdigit(), tag


@given(seq=st.integers(min_value=0, max_value=2**31), note=st.text(max_size=50))
def test_envelopes_round_trip(seq: int, note: str) -> None:
    envelope = probe("agg", 3, seq=seq, note=note)
    assert decode(encode(envelope)) == envelope


def test_an_old_version_is_upcast_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
        return {"type": "ProbeRecorded.v1", "seq": data["number"], "note": "upcast"}

    monkeypatch.setitem(codec.UPCASTERS, "ProbeRecorded.v0", v0_to_v1)
    raw = msgspec.json.decode(encode(probe("agg", 1)))
    raw["data"] = {"type": "ProbeRecorded.v0", "number": 41}
    decoded = decode(msgspec.json.encode(raw))
    assert decoded.data == ProbeRecorded(seq=41, note="upcast")


@pytest.mark.parametrize(
    "raw", [b"", b"\xff\xfe", b"[]", b'{"event_id": 1}', b'{"data": {"type": "Nope.v1"}}']
)
def test_garbage_is_undecodable(raw: bytes) -> None:
    with pytest.raises(UndecodableEvent):
        decode(raw)


def test_uuid7_is_version_7_and_time_ordered() -> None:
    ids = [uuid7() for _ in range(200)]
    assert all(i.version == 7 and i.variant == "specified in RFC 4122" for i in ids)
    stamps = [i.int >> 80 for i in ids]
    assert stamps == sorted(stamps)


def test_new_id_is_a_uuid7s_canonical_text() -> None:
    """``new_id`` formats the bits itself: the same text ``str(uuid.UUID)`` would give."""
    for text in (new_id() for _ in range(200)):
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 7
        assert parsed.variant == "specified in RFC 4122"
