"""Events of the terminals context: the catalogue of jump hosts (SPEC K1–K5).

Connection decisions and sessions (SPEC C1–C4) are added here by the terminals issue.
"""

from libs.events.catalogue.base import Event


class TerminalCreated(Event, frozen=True, kw_only=True, tag="TerminalCreated.v1"):
    """A terminal (接続端末) was registered (SPEC K2, K5: ops tooling acts on it).

    Aggregate id: the terminal's id.
    """

    context = "terminals"
    aggregate = "terminal"

    name: str
    """Full name ``<code>-<name part>``, e.g. ``998-踏み台端末02(Local)``."""


class TerminalRenamed(Event, frozen=True, kw_only=True, tag="TerminalRenamed.v1"):
    """A terminal got a new name (SPEC K3)."""

    context = "terminals"
    aggregate = "terminal"

    name: str
    previous_name: str


class TerminalDeleted(Event, frozen=True, kw_only=True, tag="TerminalDeleted.v1"):
    """A terminal was deleted (SPEC K4): assignments go, its live sessions end."""

    context = "terminals"
    aggregate = "terminal"

    name: str


TERMINAL_EVENTS: tuple[type[Event], ...] = (TerminalCreated, TerminalRenamed, TerminalDeleted)
