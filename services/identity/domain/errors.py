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


def field_problem(field: str, code: str, detail: str = "") -> FieldProblem:
    """One field's problem; ``detail`` (e.g. the values at fault) follows the message."""
    text = message(code)
    return FieldProblem(field, code, f"{text}（{detail}）" if detail else text)


def rejected(problems: list[FieldProblem] | tuple[FieldProblem, ...]) -> DomainError:
    """A 400 carrying every problem found; its code is the only problem's, or ``invalid_input``."""
    if len(problems) == 1:
        return DomainError(problems[0].code, problems[0].message, errors=tuple(problems))
    return DomainError("invalid_input", message("invalid_input"), errors=tuple(problems))


def not_found(code: str) -> NotFound:
    """A 404 with identity's message for ``code`` (missing, or another facility's: T3)."""
    return NotFound(code, message(code))


def conflict(code: str) -> Conflict:
    """A 409 with identity's message for ``code``."""
    return Conflict(code, message(code))
