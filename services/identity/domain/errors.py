"""Refusals of identity's domain, each with a stable code and its Japanese message."""

from libs.runtime.problems import Conflict, DomainError, FieldProblem, NotFound
from services.identity.messages import message


def invalid(field: str, code: str) -> DomainError:
    """A 400 naming the field at fault."""
    text = message(code)
    return DomainError(code, text, errors=(FieldProblem(field, code, text),))


def taken(field: str, code: str) -> Conflict:
    text = message(code)
    return Conflict(code, text, errors=(FieldProblem(field, code, text),))


def facility_not_found() -> NotFound:
    return NotFound("facility_not_found", message("facility_not_found"))
