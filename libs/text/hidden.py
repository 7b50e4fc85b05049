"""Characters a reader cannot see but that change what is shown (issue 16, item 10).

A file name with a right-to-left override shows ``invoice‮gnp.exe`` as ``invoiceexe.png``;
a zero-width space makes two names look alike; an escape sequence in a 共有目的 goes on
into mails. Text a person reads and trusts — file names, purposes, user names — refuses
control characters (Unicode category Cc) and format characters (Cf). One pure rule here,
so that identity and fileshare refuse the same characters.
"""

import unicodedata

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf"})
"""Control (C0, DEL, C1) and format (bidi controls, zero-width characters, BOM)."""


def hidden_characters(text: str, allowed: str = "") -> list[str]:
    """The characters of ``text`` in HIDDEN_CATEGORIES, except those in ``allowed``
    (e.g. ``"\\n"`` where a line break is text), each once, in order of appearance."""
    found: list[str] = []
    for character in text:
        if (
            character not in allowed
            and character not in found
            and unicodedata.category(character) in HIDDEN_CATEGORIES
        ):
            found.append(character)
    return found


def is_visible_text(text: str, allowed: str = "") -> bool:
    """True when ``text`` has no control or format character outside ``allowed``."""
    return not hidden_characters(text, allowed)


def code_points(characters: list[str]) -> str:
    """``U+202E, U+200B``: the characters named for a message or a log."""
    return ", ".join(f"U+{ord(c):04X}" for c in characters)
