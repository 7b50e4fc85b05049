"""The event backbone: catalogue, envelope, codec, store, relay, consumers, rebuild."""

from libs.events.clock import Clock, SettableClock, system_clock
from libs.events.codec import UndecodableEvent, decode, encode
from libs.events.envelope import SYSTEM, Actor, Envelope, envelop, next_events
from libs.events.retry import StaleVersion, retrying
from libs.events.settings import EventSettings
from libs.events.store import ConcurrencyConflict, Cursor, append, read_all, read_stream

__all__ = [
    "SYSTEM",
    "Actor",
    "Clock",
    "ConcurrencyConflict",
    "Cursor",
    "Envelope",
    "EventSettings",
    "SettableClock",
    "StaleVersion",
    "UndecodableEvent",
    "append",
    "decode",
    "encode",
    "envelop",
    "next_events",
    "read_all",
    "read_stream",
    "retrying",
    "system_clock",
]
