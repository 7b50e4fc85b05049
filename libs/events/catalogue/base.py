"""The base of every catalogued event."""

from typing import ClassVar

import msgspec


class Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """An event payload. Subclasses set ``tag="Name.vN"``, ``context`` and ``aggregate``."""

    context: ClassVar[str]
    """The bounded context that owns and publishes the event (stream and subject token)."""
    aggregate: ClassVar[str]
    """The aggregate type the event belongs to (subject token)."""


def event_name(cls: type[Event]) -> str:
    """Return the event's name without its version (``UserCreated``), used in subjects."""
    tag = cls.__struct_config__.tag
    assert isinstance(tag, str)
    return tag.split(".", 1)[0]
