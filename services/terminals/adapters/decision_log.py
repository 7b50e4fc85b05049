"""Records connection decisions with group commit: every attempt is an event (SPEC C1).

Each decision is answered only once its event is committed, but the decisions that arrive
while a transaction commits go together in the next one (one ``append`` call, one WAL
flush), so throughput follows the load instead of the round trips. The event is all that is
written: it is also the grant that lets the decision start its session (``grant`` in
``postgres.py``), so a batch is one INSERT in autocommit, one round trip.
"""

from collections.abc import Callable, Sequence

import asyncpg

from libs.events.envelope import Envelope
from libs.events.store import append
from services.terminals.adapters.batching import Batcher
from services.terminals.app import metrics


class DecisionLog:
    """Appends ``ConnectionDecided`` events in batches; ``on_commit`` wakes the relay."""

    def __init__(self, on_commit: Callable[[], None], max_batch: int = 500) -> None:
        self._on_commit = on_commit
        self._pool: asyncpg.Pool | None = None
        self._batcher: Batcher[Envelope, None] = Batcher("decision-log", self._commit, max_batch)

    def start(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._batcher.start()

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        await self._batcher.stop()

    async def record(self, envelope: Envelope) -> None:
        """Return once ``envelope`` is committed; raise if its transaction failed."""
        await self._batcher.submit(envelope)

    async def _commit(self, envelopes: Sequence[Envelope]) -> list[None]:
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            await append(conn, envelopes)
        self._on_commit()
        metrics.DECISION_BATCH.observe(len(envelopes))
        return [None] * len(envelopes)
