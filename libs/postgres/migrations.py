"""Versioned SQL migrations, applied at start, one set per component.

Files are ``NNNN_name.sql`` in a folder. Each applies once, in its own transaction,
under an advisory lock so replicas starting together do not race. A landed migration
must never change: its checksum is recorded and a mismatch stops the service.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from libs.postgres.connection import Connection

_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x66756D6964616921  # "fumidai!" as a 64-bit advisory lock key


class MigrationError(Exception):
    """The migrations on disk and in the database disagree."""


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(component: str, folder: Path) -> list[Migration]:
    """Return the migrations in ``folder``, in version order; refuse gaps and strays."""
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path}: name must be NNNN_lower_snake.sql")
        found.append(Migration(component, int(match[1]), path.stem, path.read_text("utf-8")))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"{component}: expected version {expected}, found {migration.name}"
            )
    return found


async def apply(conn: Connection, migrations: list[Migration]) -> list[str]:
    """Apply the pending migrations; return the names applied."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   component text NOT NULL,
                   version integer NOT NULL,
                   name text NOT NULL,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now(),
                   PRIMARY KEY (component, version))"""
        )
        for migration in migrations:
            row = await conn.fetchrow(
                "SELECT name, checksum FROM schema_migrations WHERE component = $1 AND version = $2",
                migration.component,
                migration.version,
            )
            if row is not None:
                if row["checksum"] != migration.checksum:
                    raise MigrationError(
                        f"{migration.component}/{migration.name} changed after it was applied;"
                        " write a new migration instead"
                    )
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (component, version, name, checksum)"
                    " VALUES ($1, $2, $3, $4)",
                    migration.component,
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
            applied_now.append(f"{migration.component}/{migration.name}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now
