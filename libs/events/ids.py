"""Identifiers for events: UUIDv7, time-ordered so ids sort roughly by creation."""

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    """Return a new RFC 9562 version-7 UUID (48-bit Unix ms timestamp, 74 random bits)."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0x0FFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b, 62 bits
    return uuid.UUID(int=value)


def new_id() -> str:
    """Return a new UUIDv7 as its canonical string."""
    return str(uuid7())
