"""Unassigns terminals the terminals service deleted (K4), as identity's own commands.

The projection in ``consumers.py`` keeps a deleted terminal as a tombstone; this loop
looks for assignments that still point at one and issues
``TerminalUnassigned(reason="terminal_deleted")`` for them, one user per transaction,
as the system. Replicas may sweep at once: the loser of a race gets a version conflict
and leaves the user to the winner.
"""

import asyncio
from collections.abc import Callable

import asyncpg
import structlog

from libs.events.envelope import SYSTEM
from libs.events.store import ConcurrencyConflict
from services.identity.adapters.postgres import PostgresUnitOfWork
from services.identity.app.users import unassign_deleted_terminals

log = structlog.get_logger("terminal_sweeper")

BATCH = 200


class TerminalSweeper:
    """Finds assignments to deleted terminals and unassigns them."""

    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        on_commit: Callable[[], None],
        interval_s: float = 1.0,
    ) -> None:
        self._pool = pool
        self._on_commit = on_commit
        self._interval_s = interval_s

    async def sweep(self) -> int:
        """One pass; return how many users it changed."""
        pool = self._pool()
        rows = await pool.fetch(
            """SELECT f.code, ut.user_id, array_agg(ut.terminal_id) AS terminal_ids
               FROM terminals t
               JOIN user_terminals ut ON ut.terminal_id = t.terminal_id
               JOIN users u ON u.user_id = ut.user_id
               JOIN facilities f ON f.facility_id = u.facility_id
               WHERE t.deleted
               GROUP BY f.code, ut.user_id
               LIMIT $1""",
            BATCH,
        )
        changed = 0
        for row in rows:
            try:
                outcome = await unassign_deleted_terminals(
                    row["code"],
                    row["user_id"],
                    row["terminal_ids"],
                    PostgresUnitOfWork(pool, self._on_commit),
                    SYSTEM,
                )
            except ConcurrencyConflict:
                continue  # another replica or command changed the user first; next pass
            if outcome is not None:
                changed += 1
        if changed:
            log.info("terminals_unassigned", users=changed)
        return changed

    async def run(self) -> None:
        while True:
            changed = await self.sweep()
            if changed < BATCH:
                await asyncio.sleep(self._interval_s)
