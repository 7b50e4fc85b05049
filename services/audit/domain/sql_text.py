"""Small pieces of SQL text built from audit's own constants, and numbered parameters."""

from collections.abc import Mapping


def literal(text: str) -> str:
    """``text`` as an SQL string literal; only for audit's constants, never for input."""
    return "'" + text.replace("'", "''") + "'"


def case(column: str, labels: Mapping[str, str]) -> str:
    """An expression giving the label of ``column``'s code (the code itself when unknown)."""
    whens = " ".join(
        f"WHEN {literal(code)} THEN {literal(label)}" for code, label in labels.items()
    )
    return f"(CASE {column} {whens} ELSE {column} END)"


class Params:
    """Collects query arguments and hands out their ``$n`` placeholders."""

    def __init__(self) -> None:
        self.values: list[object] = []

    def add(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"
