"""Each terminal's control channel: orders to its agent, delivered by long poll.

An agent asks for the orders after the last sequence number it has seen and the poll is
held until there is one, or until its wait is over. Orders live in Postgres; a poll is
woken by a terminal signal (``signals.py``), from this replica or another, and, should a
signal be lost, by a look in Postgres every ``recheck_s`` for the terminals polled here.
"""

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Iterator

import asyncpg
import structlog

from libs.aio.tasks import cancel_and_wait
from services.terminals.adapters.signals import TerminalSignals
from services.terminals.app import metrics
from services.terminals.contract import AgentOrder
from services.terminals.domain.errors import TerminalGone

log = structlog.get_logger("control_channel")

BATCH = 100
"""Most orders handed out by one poll."""


class _Poll:
    def __init__(self, after: int) -> None:
        self.after = after
        self.woken = asyncio.Event()


class ControlChannel:
    """Holds agents' polls and hands them their terminal's pending orders."""

    def __init__(self, signals: TerminalSignals, recheck_s: float) -> None:
        self._recheck_s = recheck_s
        self._polls: dict[str, set[_Poll]] = defaultdict(set)
        self._pool: asyncpg.Pool | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        signals.listen(self._wake)

    def start(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._closing = False
        self._task = asyncio.create_task(self._recheck_forever(), name="control-recheck")

    async def stop(self) -> None:
        """Release every held poll (answered empty) and stop looking."""
        self._closing = True
        for polls in self._polls.values():
            for poll in polls:
                poll.woken.set()
        await cancel_and_wait(self._task)
        self._task = None

    async def orders(self, terminal_id: str, after: int, wait: float) -> list[AgentOrder]:
        """Pending orders after ``after``; when there are none, wait up to ``wait`` s for one.

        Raises TerminalGone when the terminal has been deleted.
        """
        deadline = time.monotonic() + wait
        # Registered before the first read, so a signal between the read and the wait
        # is not lost.
        with self._held(terminal_id, after) as poll:
            while True:
                poll.woken.clear()
                found = await self._pending(terminal_id, after)
                remaining = deadline - time.monotonic()
                if found or remaining <= 0 or self._closing:
                    return found
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(remaining):
                        await poll.woken.wait()

    @contextlib.contextmanager
    def _held(self, terminal_id: str, after: int) -> Iterator[_Poll]:
        poll = _Poll(after)
        self._polls[terminal_id].add(poll)
        metrics.POLLS_HELD.inc()
        try:
            yield poll
        finally:
            metrics.POLLS_HELD.dec()
            polls = self._polls[terminal_id]
            polls.discard(poll)
            if not polls:
                del self._polls[terminal_id]

    def _wake(self, terminal_id: str) -> None:
        for poll in self._polls.get(terminal_id, ()):
            poll.woken.set()

    async def _pending(self, terminal_id: str, after: int) -> list[AgentOrder]:
        assert self._pool is not None, "control channel not started"
        rows = await self._pool.fetch(
            """SELECT t.deleted_at IS NOT NULL AS gone, o.seq, o.kind, o.session_id,
                      o.account, o.cause, o.reason, o.ordered_at
               FROM terminals t
               LEFT JOIN agent_orders o ON o.terminal_id = t.terminal_id AND o.seq > $2
                    AND o.acknowledged_at IS NULL
               WHERE t.terminal_id = $1
               ORDER BY o.seq LIMIT $3""",
            terminal_id,
            after,
            BATCH,
        )
        if not rows or rows[0]["gone"]:
            raise TerminalGone()
        return [
            AgentOrder(
                seq=row["seq"],
                kind=row["kind"],
                session_id=row["session_id"],
                account=row["account"],
                cause=row["cause"],
                reason=row["reason"],
                ordered_at=row["ordered_at"],
            )
            for row in rows
            if row["seq"] is not None
        ]

    async def _recheck_forever(self) -> None:
        while True:
            await asyncio.sleep(self._recheck_s)
            if not self._polls:
                continue
            try:
                await self._recheck()
            except Exception as error:  # Postgres away: the polls' own deadlines still hold
                log.warning("control_recheck_failed", error=repr(error))

    async def _recheck(self) -> None:
        assert self._pool is not None
        rows = await self._pool.fetch(
            """SELECT t.terminal_id, t.deleted_at IS NOT NULL AS gone, max(o.seq) AS last
               FROM terminals t
               LEFT JOIN agent_orders o ON o.terminal_id = t.terminal_id
                    AND o.acknowledged_at IS NULL
               WHERE t.terminal_id = ANY($1::text[])
               GROUP BY t.terminal_id, t.deleted_at""",
            list(self._polls),
        )
        for row in rows:
            for poll in self._polls.get(row["terminal_id"], ()):
                if row["gone"] or (row["last"] is not None and row["last"] > poll.after):
                    poll.woken.set()
