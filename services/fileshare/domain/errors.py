"""Refusals of fileshare's domain, each with a stable code and its Japanese message."""

from libs.runtime.problems import Conflict, DomainError, FieldProblem, NotFound
from services.fileshare.messages import message


def invalid(field: str, code: str, *, status: int = 400) -> DomainError:
    """A refusal naming the field at fault (400, or 413 for sizes)."""
    text = message(code)
    return DomainError(code, text, errors=(FieldProblem(field, code, text),), status=status)


def forbidden(code: str) -> DomainError:
    return DomainError(code, message(code), status=403)


def not_found(code: str = "share_not_found") -> NotFound:
    """Missing, or another facility's or user's: the two answer alike (SPEC T3)."""
    return NotFound(code, message(code))


def conflict(code: str) -> Conflict:
    return Conflict(code, message(code))


def gone(code: str) -> DomainError:
    return DomainError(code, message(code), status=410)


def unavailable(code: str) -> DomainError:
    return DomainError(code, message(code), status=503)
