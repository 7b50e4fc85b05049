"""A projected row whose settings each remember the version of the event that set them.

Events of one aggregate may arrive out of order across streams, and a settings change
carries only what changed (None: unchanged). A setting then replaces the row's only when
its event is newer than the one the row's value came from; until the first event that
carries it, a default stands in (version 0, replaced by any). Facilities' settings are
projected this way by several services (decision 0017).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from libs.postgres.connection import Connection


@dataclass(frozen=True)
class Versioned:
    """A setting column: its default until set, its ``_version`` column, its parameter cast."""

    column: str
    default: str
    """SQL of the value before any event carried one."""
    version: str = ""
    """The column holding the version its value came from; ``<column>_version`` if empty."""
    cast: str = ""
    """Appended to the parameter, e.g. ``::cidr[]``."""

    @property
    def version_column(self) -> str:
        return self.version or f"{self.column}_version"


class VersionedRows:
    """Upserts of ``table`` keyed by ``key``: ``plain`` columns (the key first) take each
    event's value, ``settings`` keep the newest event's."""

    def __init__(self, table: str, plain: Sequence[str], settings: Sequence[Versioned]) -> None:
        self.sql = _upsert(table, plain, settings)

    async def write(self, conn: Connection, version: int, *values: object) -> None:
        """One event's values: the plain columns', then each setting's (None: not carried)."""
        await conn.execute(self.sql, *values, version)


def _upsert(table: str, plain: Sequence[str], settings: Sequence[Versioned]) -> str:
    first = len(plain) + 1
    version = f"${first + len(settings)}"
    values = [f"${n}" for n in range(1, first)]
    values += [f"coalesce(${first + i}{s.cast}, {s.default})" for i, s in enumerate(settings)]
    values += [
        f"CASE WHEN ${first + i}{s.cast} IS NULL THEN 0 ELSE {version} END"
        for i, s in enumerate(settings)
    ]
    updates = [f"{column} = EXCLUDED.{column}" for column in plain[1:]]
    for s in settings:
        newer = f"EXCLUDED.{s.version_column} > t.{s.version_column}"
        updates.append(
            f"{s.column} = CASE WHEN {newer} THEN EXCLUDED.{s.column} ELSE t.{s.column} END"
        )
        updates.append(
            f"{s.version_column} = greatest(t.{s.version_column}, EXCLUDED.{s.version_column})"
        )
    columns = [*plain, *(s.column for s in settings), *(s.version_column for s in settings)]
    return (
        f"INSERT INTO {table} AS t ({', '.join(columns)})\n"
        f"VALUES ({', '.join(values)})\n"
        f"ON CONFLICT ({plain[0]}) DO UPDATE SET\n    " + ",\n    ".join(updates)
    )
