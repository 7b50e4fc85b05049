"""Bytes in and out: the one place that turns envelopes into JSON and back.

Old versions of an event are upcast here, before typed decoding, so the rest of the
code only ever sees the current version of each type.
"""

from collections.abc import Callable
from typing import Any

import msgspec

from libs.events.catalogue import EVENTS_BY_TAG
from libs.events.envelope import Envelope

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns the ``data`` of an old event version into the next version's ``data``."""

UPCASTERS: dict[str, Upcaster] = {}
"""Keyed by the old type tag; the result's ``type`` names the next version."""


class UndecodableEvent(Exception):
    """The bytes are not an event of the catalogue (poison for a consumer)."""

    code = "undecodable_event"


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Envelope)


def encode(envelope: Envelope) -> bytes:
    """Return the JSON bytes of an envelope."""
    return _encoder.encode(envelope)


def decode(raw: bytes) -> Envelope:
    """Return the envelope in ``raw``, upcast to current versions; raise UndecodableEvent."""
    try:
        return _decoder.decode(raw)
    except msgspec.DecodeError as typed_error:
        try:
            loose = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            raise UndecodableEvent(str(typed_error)) from typed_error
        data = loose.get("data") if isinstance(loose, dict) else None
        tag = data.get("type") if isinstance(data, dict) else None
        if not isinstance(tag, str) or tag not in UPCASTERS:
            raise UndecodableEvent(str(typed_error)) from typed_error
        while isinstance(tag, str) and tag in UPCASTERS and isinstance(data, dict):
            data = UPCASTERS[tag](data)
            tag = data.get("type")
        if tag not in EVENTS_BY_TAG:
            raise UndecodableEvent(f"upcast ended on unknown type {tag!r}") from typed_error
        loose["data"] = data
        try:
            return msgspec.convert(loose, Envelope)
        except msgspec.ValidationError as error:
            raise UndecodableEvent(str(error)) from error
