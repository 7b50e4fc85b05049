"""Migrations apply once, in order, and refuse a landed one that changed."""

from pathlib import Path

import asyncpg
import pytest

from libs.postgres.migrations import MigrationError, apply, discover


def write(folder: Path, name: str, sql: str) -> None:
    (folder / name).write_text(sql)


async def test_apply_once_then_refuse_an_edited_migration(
    tmp_path: Path, database_url: str
) -> None:
    write(tmp_path, "0001_first.sql", "CREATE TABLE one (id int);")
    write(tmp_path, "0002_second.sql", "CREATE TABLE two (id int);")
    conn = await asyncpg.connect(database_url)
    try:
        assert await apply(conn, discover("demo", tmp_path)) == [
            "demo/0001_first",
            "demo/0002_second",
        ]
        assert await apply(conn, discover("demo", tmp_path)) == []
        write(tmp_path, "0002_second.sql", "CREATE TABLE two (id bigint);")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await apply(conn, discover("demo", tmp_path))
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path, database_url: str) -> None:
    write(tmp_path, "0001_broken.sql", "CREATE TABLE half (id int); SELECT no_such_function();")
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await apply(conn, discover("demo", tmp_path))
        assert await conn.fetchval("SELECT to_regclass('half')") is None
    finally:
        await conn.close()


def test_gaps_and_badly_named_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "")
    write(tmp_path, "0003_c.sql", "")
    with pytest.raises(MigrationError, match="expected version 2"):
        discover("demo", tmp_path)
    (tmp_path / "0003_c.sql").unlink()
    write(tmp_path, "2_Bad Name.sql", "")
    with pytest.raises(MigrationError, match="NNNN_lower_snake"):
        discover("demo", tmp_path)
