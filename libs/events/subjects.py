"""Subject names: ``<root>.<context>.<facility>.<aggregate>.<id>.<Event>``."""

from libs.events.catalogue import Event, event_name
from libs.events.envelope import Envelope


def subject_of(root: str, envelope: Envelope) -> str:
    """The subject an envelope is published on."""
    return (
        f"{root}.{envelope.context}.{envelope.facility}.{envelope.aggregate_type}."
        f"{envelope.aggregate_id}.{envelope.name}"
    )


def filter_for(root: str, event: type[Event]) -> str:
    """A filter subject matching every event of one type, any facility or aggregate."""
    return f"{root}.{event.context}.*.{event.aggregate}.*.{event_name(event)}"


def context_subjects(root: str, context: str) -> str:
    """The subjects of one context's stream."""
    return f"{root}.{context}.>"


def deadletter_subject(root: str, stream: str, consumer: str) -> str:
    return f"{root}.deadletter.{stream}.{consumer}"
