"""A service's refusals: the errors its domain raises, each with a stable code and the
Japanese message the caller shows, and nothing of how they travel (``libs.runtime.problems``
maps them to HTTP). Pure, so a domain may import it.
"""

from collections.abc import Callable, Mapping, Sequence

import msgspec


class FieldProblem(msgspec.Struct, frozen=True):
    """One field's problem, for forms: which field, what code, what to tell the admin."""

    field: str
    code: str
    message: str


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: tuple[FieldProblem, ...] = ()


class DomainError(Exception):
    """A refusal the caller can act on. Subclasses set ``status``; instances a code."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        errors: tuple[FieldProblem, ...] = (),
        status: int = 0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.errors = errors
        self.headers: Mapping[str, str] = headers or {}
        """Sent with the answer (``Retry-After`` on a 503, say)."""
        if status:
            self.status = status


class NotFound(DomainError):
    """Missing, or another facility's (SPEC T3: the two are indistinguishable)."""

    status = 404

    def __init__(self, code: str = "not_found", message: str = "対象が見つかりません。") -> None:
        super().__init__(code, message)


class Conflict(DomainError):
    status = 409


class Refusals:
    """The refusals every service writes alike, their texts from its own messages."""

    def __init__(self, message: Callable[[str], str]) -> None:
        self._message = message

    def invalid(self, field: str, code: str, *, status: int = 400) -> DomainError:
        """A refusal naming the field at fault (400, or another ``status``: 413 for sizes)."""
        text = self._message(code)
        return DomainError(code, text, errors=(FieldProblem(field, code, text),), status=status)

    def taken(self, field: str, code: str) -> Conflict:
        """A 409 naming the field whose value another already holds."""
        text = self._message(code)
        return Conflict(code, text, errors=(FieldProblem(field, code, text),))

    def not_found(self, code: str) -> NotFound:
        """A 404: missing, or another facility's (the two answer alike, SPEC T3)."""
        return NotFound(code, self._message(code))

    def conflict(self, code: str) -> Conflict:
        """A 409 with the message for ``code``."""
        return Conflict(code, self._message(code))

    def rejected(self, problems: Sequence[FieldProblem]) -> DomainError:
        """A 400 carrying every problem found; its code is the only problem's, or
        ``invalid_input``."""
        if len(problems) == 1:
            return DomainError(problems[0].code, problems[0].message, errors=tuple(problems))
        return DomainError("invalid_input", self._message("invalid_input"), errors=tuple(problems))
