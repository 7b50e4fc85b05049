"""Refusals of terminals' domain, each with a stable code and its Japanese message."""

from libs.runtime.problems import Conflict, DomainError, FieldProblem, NotFound
from services.terminals.messages import message


def invalid(field: str, code: str) -> DomainError:
    """A 400 naming the field at fault."""
    text = message(code)
    return DomainError(code, text, errors=(FieldProblem(field, code, text),))


def taken(field: str, code: str) -> Conflict:
    text = message(code)
    return Conflict(code, text, errors=(FieldProblem(field, code, text),))


def not_found(code: str) -> NotFound:
    """Missing, or another facility's: the two answer alike (SPEC T3)."""
    return NotFound(code, message(code))


def conflict(code: str) -> Conflict:
    return Conflict(code, message(code))


class AgentUnauthenticated(DomainError):
    """The agent's credential is unknown, malformed or revoked."""

    status = 401

    def __init__(self) -> None:
        super().__init__("agent_unauthenticated", message("agent_unauthenticated"))


class TerminalGone(DomainError):
    """The credential's terminal was deleted: the agent must cut every session it holds."""

    status = 410

    def __init__(self) -> None:
        super().__init__("terminal_deleted", message("terminal_deleted"))
