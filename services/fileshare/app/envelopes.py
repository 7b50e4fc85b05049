"""Envelopes of a share's next events: versions follow on, time comes from the clock."""

from collections.abc import Iterable
from datetime import datetime

from libs.events.catalogue import AnyEvent, Event
from libs.events.envelope import Actor, Envelope, envelop
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
    envelopes = []
    for data in events:
        envelope = envelop(
            _any(data),
            facility=share.facility,
            aggregate_id=share.share_id,
            version=share.version + 1,
            actor=actor,
            occurred_at=at,
            correlation_id=cause.correlation_id if cause else None,
            causation_id=cause.event_id if cause else None,
        )
        share = mutate(share, envelope)
        envelopes.append(envelope)
    return share, envelopes


def _any(data: Event) -> AnyEvent:
    # The domain returns the catalogue base type; every catalogue Event is in AnyEvent.
    return data  # type: ignore[return-value]
