"""Probe events for the backbone's tests."""

from libs.events.catalogue.probe import ProbeRecorded
from libs.events.envelope import Actor, Envelope, envelop

TESTER = Actor(id="pytest", role="system", ip="127.0.0.1")


def probe(aggregate_id: str, version: int, seq: int = 0, note: str = "") -> Envelope:
    """A probe event for ``aggregate_id`` at ``version``."""
    return envelop(
        ProbeRecorded(seq=seq, note=note),
        facility="998",
        aggregate_id=aggregate_id,
        version=version,
        actor=TESTER,
    )
