"""The terminal aggregate (SPEC K1–K4): a jump host or group of them, named ``<code>-<name>``."""

import unicodedata
from dataclasses import dataclass

from libs.events.catalogue.terminals import TerminalCreated, TerminalDeleted, TerminalRenamed
from services.terminals.contract import TERMINAL_NAME_MAX as NAME_MAX
from services.terminals.domain.errors import invalid
from services.terminals.domain.text import clean, printable


@dataclass(frozen=True)
class Terminal:
    """What the commands need to know of a terminal."""

    terminal_id: str
    facility: str
    name: str
    version: int
    deleted: bool = False


def check_name_part(part: str) -> str:
    """The name part, NFC and trimmed, if it is 1–60 printable characters; else a 400."""
    text = clean(part)
    if not 1 <= len(text) <= NAME_MAX or not printable(text):
        raise invalid("name", "terminal_name_invalid")
    return text


def full_name(code: str, part: str) -> str:
    """``<code>-<name part>`` (SPEC K1)."""
    return f"{code}-{part}"


def name_key(name: str) -> str:
    """What uniqueness compares: the name ignoring case (SPEC K1), Unicode-aware."""
    return unicodedata.normalize("NFC", name).casefold()


def create(code: str, part: str) -> TerminalCreated:
    """The event of a new terminal named ``part`` in facility ``code``."""
    return TerminalCreated(name=full_name(code, check_name_part(part)))


def rename(terminal: Terminal, part: str) -> TerminalRenamed | None:
    """The event renaming ``terminal``, or None when the name does not change."""
    name = full_name(terminal.facility, check_name_part(part))
    if name == terminal.name:
        return None
    return TerminalRenamed(name=name, previous_name=terminal.name)


def delete(terminal: Terminal) -> TerminalDeleted:
    """The event deleting ``terminal`` (SPEC K4: it cannot be undone)."""
    return TerminalDeleted(name=terminal.name)
