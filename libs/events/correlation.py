"""The correlation id of the work in hand: one HTTP request, or one event being handled.

Held in a context variable, so every log line written and every event appended while the
work runs can name it without each use case passing it on (docs/decisions/0045). Here,
in ``libs/events``, because the envelopes read it; ``libs/runtime`` sets it per request.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import msgspec

from libs.events.ids import new_id

HEADER = "X-Request-Id"
"""The HTTP header carrying it: answered by the gateway, sent on every internal call."""
NATS_HEADER = "Fumidai-Correlation-Id"
"""The NATS header the relay publishes it in (the envelope's ``correlation_id``)."""

_CURRENT: ContextVar[str | None] = ContextVar("fumidai_correlation_id", default=None)

# Letters, digits and a few separators: enough for UUIDs and the ids proxies make, and
# nothing that could break a log line or a header (no spaces, quotes or control bytes).
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def well_formed(value: str | None) -> bool:
    """Whether ``value`` may be taken as a correlation id from outside."""
    return value is not None and _WELL_FORMED.fullmatch(value) is not None


def current_correlation() -> str | None:
    """The correlation id of the work in hand, if any."""
    return _CURRENT.get()


def new_correlation() -> str:
    """A fresh correlation id (a UUIDv7, like event ids)."""
    return new_id()


@contextmanager
def correlated(correlation_id: str | None) -> Iterator[str | None]:
    """Run the block with ``correlation_id`` as the current one (None: none)."""
    token = _CURRENT.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _CURRENT.reset(token)


class _Tracing(msgspec.Struct):
    correlation_id: str = ""


_tracing = msgspec.json.Decoder(_Tracing)


def correlation_of(payload: bytes) -> str:
    """The correlation id of a stored envelope, read without decoding the rest of it."""
    try:
        return _tracing.decode(payload).correlation_id
    except msgspec.DecodeError:
        return ""
