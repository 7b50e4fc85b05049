"""Unassigns terminals the terminals service deleted (K4), as identity's own commands.

The projection in ``consumers.py`` keeps a deleted terminal as a tombstone; this loop
looks for assignments that still point at one and issues
``TerminalUnassigned(reason="terminal_deleted")`` for them, one user per transaction,
as the system. Replicas may sweep at once: the loser of a race gets a version conflict
and leaves the user to the winner.
"""

import asyncio
from collections.abc import Callable
from typing import Protocol

import structlog

from libs.events.envelope import SYSTEM
from libs.events.store import ConcurrencyConflict
from services.identity.app.unit_of_work import UserUnitOfWork
from services.identity.app.users import unassign_deleted_terminals

log = structlog.get_logger("terminal_sweeper")

BATCH = 200


class SweepUnitOfWork(UserUnitOfWork, Protocol):
    async def deleted_terminal_assignments(self, limit: int) -> list[tuple[str, str, list[str]]]:
        """Up to ``limit`` users still assigned to a deleted terminal: (facility code,
        user id, the deleted terminals' ids)."""
        ...


class TerminalSweeper:
    """Finds assignments to deleted terminals and unassigns them."""

    def __init__(self, uow: Callable[[], SweepUnitOfWork], interval_s: float = 1.0) -> None:
        self._uow = uow
        self._interval_s = interval_s

    async def sweep(self) -> int:
        """One pass; return how many users it changed."""
        async with self._uow() as uow:
            stale = await uow.deleted_terminal_assignments(BATCH)
        changed = 0
        for code, user_id, terminal_ids in stale:
            try:
                outcome = await unassign_deleted_terminals(
                    code, user_id, terminal_ids, self._uow(), SYSTEM
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
