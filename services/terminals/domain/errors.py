"""Refusals of terminals' domain, each with a stable code and its Japanese message."""

from libs.runtime.refusals import DomainError, Refusals
from services.terminals.messages import message

REFUSALS = Refusals(message)
"""invalid, taken, not_found, conflict: each with terminals' message."""

invalid = REFUSALS.invalid
taken = REFUSALS.taken
not_found = REFUSALS.not_found
conflict = REFUSALS.conflict


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
