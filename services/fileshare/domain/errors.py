"""Refusals of fileshare's domain, each with a stable code and its Japanese message."""

from collections.abc import Sequence

from libs.runtime.refusals import DomainError, FieldProblem, NotFound, Refusals
from services.fileshare.messages import message

REFUSALS = Refusals(message)
"""invalid (400, or 413 for sizes), conflict: each with fileshare's message."""

invalid = REFUSALS.invalid
conflict = REFUSALS.conflict


UNSCANNABLE_CODES = {
    "encrypted": "file_encrypted",
    "limits": "file_scan_limits_exceeded",
    "broken": "file_broken",
    "other": "file_unscannable",
}
"""A 検査不可 file's reason → the code of its field problem."""


def unscannable(files: Sequence[tuple[int, str, str]]) -> DomainError:
    """Refuse an upload holding files clamd could not scan (SPEC F1): 400
    ``file_unscannable``, one field problem per file (``files[i]``) naming it and why.

    ``files`` are (index in the upload, name, reason) — reasons as ``UNSCANNABLE_CODES``'.
    """
    errors = tuple(
        FieldProblem(
            f"files[{index}]",
            UNSCANNABLE_CODES[reason],
            message(UNSCANNABLE_CODES[reason], name=name),
        )
        for index, name, reason in files
    )
    title = (
        errors[0].message if len(errors) == 1 else message("files_unscannable", count=len(errors))
    )
    return DomainError("file_unscannable", title, errors=errors, status=400)


def forbidden(code: str) -> DomainError:
    return DomainError(code, message(code), status=403)


def not_found(code: str = "share_not_found") -> NotFound:
    """Missing, or another facility's or user's: the two answer alike (SPEC T3)."""
    return NotFound(code, message(code))


def gone(code: str) -> DomainError:
    return DomainError(code, message(code), status=410)


def unavailable(code: str) -> DomainError:
    return DomainError(code, message(code), status=503)
