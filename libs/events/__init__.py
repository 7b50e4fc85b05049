"""The event backbone: catalogue, envelope, codec, store, relay, consumers, rebuild."""

from libs.events.codec import UndecodableEvent, decode, encode
from libs.events.envelope import SYSTEM, Actor, Envelope, envelop
from libs.events.settings import EventSettings
from libs.events.store import ConcurrencyConflict, Cursor, append, read_all, read_stream

__all__ = [
    "SYSTEM",
    "Actor",
    "ConcurrencyConflict",
    "Cursor",
    "Envelope",
    "EventSettings",
    "UndecodableEvent",
    "append",
    "decode",
    "encode",
    "envelop",
    "read_all",
    "read_stream",
]
