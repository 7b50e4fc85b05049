"""Refusals of identity's domain, each with a stable code and its Japanese message."""

from libs.runtime.refusals import FieldProblem, NotFound, Refusals
from services.identity.messages import message

REFUSALS = Refusals(message)
"""invalid, taken, not_found, conflict, rejected: each with identity's message."""

invalid = REFUSALS.invalid
taken = REFUSALS.taken
rejected = REFUSALS.rejected
not_found = REFUSALS.not_found
conflict = REFUSALS.conflict


def facility_not_found() -> NotFound:
    return NotFound("facility_not_found", message("facility_not_found"))


def field_problem(field: str, code: str, detail: str = "") -> FieldProblem:
    """One field's problem; ``detail`` (e.g. the values at fault) follows the message."""
    text = message(code)
    return FieldProblem(field, code, f"{text}（{detail}）" if detail else text)
