"""Identifiers for events: UUIDv7, time-ordered so ids sort roughly by creation."""

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    """Return a new RFC 9562 version-7 UUID (48-bit Unix ms timestamp, 74 random bits)."""
    return uuid.UUID(int=_uuid7_bits())


def _uuid7_bits() -> int:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0x0FFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b, 62 bits
    return value


def new_id() -> str:
    """Return a new UUIDv7 as its canonical string."""
    # Formatted here rather than through uuid.UUID: a request takes two or three ids (its
    # correlation, a decision's, its event's), and the object cost a third of each.
    h = f"{_uuid7_bits():032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
