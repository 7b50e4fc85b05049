"""Envelopes of a share's next events: versions follow on, time comes from the clock."""

from collections.abc import Iterable
from datetime import datetime

from libs.events.catalogue import Event
from libs.events.envelope import Actor, Envelope, next_events
from services.fileshare.domain.share import Share, mutate


def following(
    share: Share,
    events: Iterable[Event],
    *,
    actor: Actor,
    at: datetime,
    cause: Envelope | None = None,
) -> tuple[Share, list[Envelope]]:
    """Envelop ``events`` as the share's next versions; return the share after them."""
    envelopes = next_events(
        events,
        facility=share.facility,
        aggregate_id=share.share_id,
        version=share.version,
        actor=actor,
        at=at,
        cause=cause,
    )
    for envelope in envelopes:
        share = mutate(share, envelope)
    return share, envelopes
