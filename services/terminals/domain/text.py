"""What counts as printable text in names and reasons typed by admins."""

import unicodedata

# Control, format, surrogate, private-use and unassigned code points, and the line and
# paragraph separators, are what "printable" rules out; spaces (also 全角) are allowed.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def clean(text: str) -> str:
    """``text`` in NFC without surrounding whitespace."""
    return unicodedata.normalize("NFC", text).strip()


def printable(text: str) -> bool:
    """True when every character of ``text`` is printable."""
    return not any(unicodedata.category(ch) in _UNPRINTABLE for ch in text)
