"""The envelope every event travels in: identity, ordering, time, actor and tracing."""

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

import msgspec

from libs.events.catalogue import AnyEvent, Event, event_name
from libs.events.clock import system_clock
from libs.events.correlation import current_correlation
from libs.events.ids import new_id

Role = Literal["operator", "admin", "user", "agent", "system"]


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who caused an event: the audit trail's who and from where."""

    id: str
    """Account, agent or operator name; ``system`` for reactions of the suite itself."""
    role: Role
    ip: str | None = None
    """Source address of the request that caused the event, when there was one."""


SYSTEM = Actor(id="system", role="system")


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """An event with its metadata, exactly as stored in the events table and published."""

    event_id: str
    """UUIDv7; also the ``Nats-Msg-Id`` that JetStream de-duplicates on."""
    facility: str
    """Facility code the event belongs to (tenancy); ``-`` for platform events."""
    aggregate_id: str
    version: int
    """The aggregate's version after this event, from 1."""
    occurred_at: datetime
    actor: Actor
    correlation_id: str
    causation_id: str | None = None
    data: AnyEvent

    @property
    def event(self) -> Event:
        """The payload, typed as the catalogue base."""
        data = self.data
        assert isinstance(data, Event)
        return data

    @property
    def type(self) -> str:
        """Versioned event type, e.g. ``AdminCreated.v1``."""
        tag = type(self.event).__struct_config__.tag
        assert isinstance(tag, str)
        return tag

    @property
    def name(self) -> str:
        """Event name without version, e.g. ``AdminCreated``."""
        return event_name(type(self.event))

    @property
    def context(self) -> str:
        return type(self.event).context

    @property
    def aggregate_type(self) -> str:
        return type(self.event).aggregate


def envelop(
    data: AnyEvent,
    *,
    facility: str,
    aggregate_id: str,
    version: int,
    actor: Actor,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Envelope:
    """Wrap a payload in a new envelope with a fresh event id."""
    event_id = new_id()
    return Envelope(
        event_id=event_id,
        facility=facility,
        aggregate_id=aggregate_id,
        version=version,
        occurred_at=occurred_at or system_clock(),
        actor=actor,
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        data=data,
    )


def next_events(
    events: Iterable[Event],
    *,
    aggregate_id: str,
    version: int,
    facility: str,
    actor: Actor,
    at: datetime | None = None,
    cause: Envelope | None = None,
    correlation_id: str | None = None,
) -> list[Envelope]:
    """Envelopes for an aggregate's next events, numbered after ``version``, all at one time.

    With a ``cause`` each event follows from it (its correlation, caused by it). Without
    one the first event opens the correlation (or joins ``correlation_id``, by default the
    current request's or handled event's, ``libs.events.correlation``) and the others are
    caused by the first: one command's events read as one story.
    """
    when = at or system_clock()
    correlation_id = correlation_id or current_correlation()
    envelopes: list[Envelope] = []
    for offset, event in enumerate(events, start=1):
        first = envelopes[0] if envelopes else None
        correlation: str | None
        causation: str | None
        if cause is not None:
            correlation, causation = cause.correlation_id, cause.event_id
        else:
            correlation = correlation_id or (first.correlation_id if first else None)
            causation = first.event_id if first else None
        envelopes.append(
            envelop(
                _any(event),
                facility=facility,
                aggregate_id=aggregate_id,
                version=version + offset,
                actor=actor,
                occurred_at=when,
                correlation_id=correlation,
                causation_id=causation,
            )
        )
    return envelopes


def next_event(
    event: Event,
    *,
    aggregate_id: str,
    version: int,
    facility: str,
    actor: Actor,
    at: datetime | None = None,
    cause: Envelope | None = None,
    correlation_id: str | None = None,
) -> Envelope:
    """The envelope of an aggregate's one next event (``next_events`` of one)."""
    [envelope] = next_events(
        [event],
        aggregate_id=aggregate_id,
        version=version,
        facility=facility,
        actor=actor,
        at=at,
        cause=cause,
        correlation_id=correlation_id,
    )
    return envelope


def _any(event: Event) -> AnyEvent:
    # Domain functions return the catalogue base type; every catalogue Event is an AnyEvent.
    return event  # type: ignore[return-value]
