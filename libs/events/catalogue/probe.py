"""Synthetic events that exercise the backbone: health probes, load tests, latency.

They are real catalogue events (published on their own stream, projected like any
other) so that a probe measures the same path a business event takes.
"""

from libs.events.catalogue.base import Event


class ProbeRecorded(Event, frozen=True, kw_only=True, tag="ProbeRecorded.v1"):
    """A probe was recorded. Aggregate id: the probe series."""

    context = "probe"
    aggregate = "probe"

    seq: int
    """The probe's number within its series."""
    note: str = ""
    """Free text, e.g. the name of the test or benchmark that sent it."""


PROBE_EVENTS: tuple[type[Event], ...] = (ProbeRecorded,)
