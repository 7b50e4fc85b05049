"""What the gateway may know of terminals without importing its internals: the rule of a
terminal's name part (SPEC K1), which the public API documents."""

from services.terminals.domain.terminal import NAME_MAX as TERMINAL_NAME_MAX

__all__ = ["TERMINAL_NAME_MAX"]
