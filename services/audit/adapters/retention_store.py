"""The purge's statements in PostgreSQL (SPEC A2).

Each statement deletes at most a batch of rows found by the time index and commits on
its own: row locks are held for milliseconds and only on rows nobody writes any more.
One replica purges at a time (advisory lock); ``maintenance_runs`` remembers the last run
so that restarts and replicas keep the daily rhythm.
"""

import contextlib
import zlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import asyncpg
import msgspec

from services.audit.domain.logs import LogSpec

TASK = "purge"
_LOCK_KEY = zlib.crc32(b"fumidai-audit:purge")


def _deleted(status: str) -> int:
    return int(status.split()[-1])


class PostgresRetention:
    """The ``RetentionStore`` port of ``app.retention`` over audit's database."""

    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        self._pool = pool

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[bool]:
        """Hold the purge's advisory lock for the block; False when another replica has it."""
        async with self._pool().acquire() as holder:
            if not await holder.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_KEY):
                yield False
                return
            try:
                yield True
            finally:
                try:
                    await holder.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
                except BaseException:
                    # Pooled connections are handed back as they are (libs/postgres/pool.py):
                    # one still holding the lock would stop every replica's purge.
                    holder.terminate()
                    raise

    async def delete_log_rows(self, spec: LogSpec, cutoff: datetime, batch: int) -> int:
        return _deleted(
            await self._pool().execute(
                f"""DELETE FROM {spec.table} WHERE ctid = ANY(ARRAY(
                        SELECT ctid FROM {spec.table} WHERE {spec.time} < $1 LIMIT $2))""",
                cutoff,
                batch,
            )
        )

    async def delete_expired_exports(self, now: datetime, batch: int) -> int:
        """Jobs past 有効期間; each drags its file's chunks along."""
        return _deleted(
            await self._pool().execute(
                """DELETE FROM export_jobs WHERE job_id = ANY(ARRAY(
                       SELECT job_id FROM export_jobs WHERE expires_at < $1 LIMIT $2))""",
                now,
                batch,
            )
        )

    async def delete_inbox(self, projection: str, cutoff: datetime, batch: int) -> int:
        return _deleted(
            await self._pool().execute(
                """DELETE FROM inbox WHERE projection = $3 AND event_id = ANY(ARRAY(
                       SELECT event_id FROM inbox WHERE projection = $3 AND applied_at < $1
                       LIMIT $2))""",
                cutoff,
                batch,
                projection,
            )
        )

    async def record_run(self, now: datetime, deleted: dict[str, int]) -> None:
        await self._pool().execute(
            """INSERT INTO maintenance_runs (task, last_run_at, detail)
               VALUES ($1, $2, $3::jsonb)
               ON CONFLICT (task) DO UPDATE
               SET last_run_at = EXCLUDED.last_run_at, detail = EXCLUDED.detail""",
            TASK,
            now,
            msgspec.json.encode(deleted).decode(),
        )

    async def last_run(self) -> datetime | None:
        last: datetime | None = await self._pool().fetchval(
            "SELECT last_run_at FROM maintenance_runs WHERE task = $1", TASK
        )
        return last
