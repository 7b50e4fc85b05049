"""What fileshare's use cases need from the virus scanner (``adapters/clamd.py``
implements it on clamd's INSTREAM): a session fed chunk by chunk, then a verdict."""

from dataclasses import dataclass
from typing import Literal, Protocol

from libs.events.catalogue.fileshare import ScanResult


class ScannerUnavailable(Exception):
    """The scanner could not be reached or gave no verdict; try again later."""


@dataclass(frozen=True)
class Verdict:
    result: ScanResult
    signature: str | None = None


UnscannableReason = Literal["encrypted", "limits", "broken", "other"]
"""Why the scanner could not vouch for a file, as an upload's refusal names it (SPEC F1)."""


def unscannable_reason(signature: str | None) -> UnscannableReason:
    """The reason behind a 検査不可 verdict's signature (or clamd's ERROR text)."""
    text = signature or ""
    if text.startswith("Heuristics.Encrypted."):
        return "encrypted"
    if text.startswith("Heuristics.Limits.Exceeded") or "limit exceeded" in text.lower():
        return "limits"
    if text.startswith("Heuristics.Broken"):
        return "broken"
    return "other"


class ScanSession(Protocol):
    async def feed(self, chunk: bytes | bytearray | memoryview) -> None:
        """Send one chunk; a failure marks the session broken rather than raising."""

    async def finish(self) -> Verdict:
        """The verdict; ScannerUnavailable when there is none."""
        ...

    async def close(self) -> None: ...


class Scanner(Protocol):
    async def session(self) -> ScanSession:
        """A new scan; ScannerUnavailable when the scanner cannot be reached."""
        ...
