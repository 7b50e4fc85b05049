"""Fan-out of "terminal X changed" across replicas over core NATS.

A command that gives a terminal's agent an order, revokes one of its credentials, renames
or deletes it sends the terminal's id after its commit. Every replica (this one at once,
the others through NATS) then wakes the agent polls it holds for that terminal and forgets
the credentials it cached for it. Core NATS may drop a signal while disconnected: the
listeners have their own bounded fallbacks (a periodic look in Postgres, a cache TTL).
"""

from collections.abc import Callable, Sequence

import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

log = structlog.get_logger("signals")

Listener = Callable[[str], None]


class TerminalSignals:
    """Sends and receives terminal-changed signals on ``<root>.signal.terminals.<id>``.

    The subject lies outside every context stream (``<root>.<context>.>``), so JetStream
    does not store these signals.
    """

    def __init__(self, subject_root: str) -> None:
        self._prefix = f"{subject_root}.signal.terminals"
        self._listeners: list[Listener] = []
        self._nc: NATS | None = None
        self._sub: Subscription | None = None

    def listen(self, listener: Listener) -> None:
        """Call ``listener(terminal_id)`` for each signal, local or from another replica."""
        self._listeners.append(listener)

    async def start(self, nc: NATS) -> None:
        self._nc = nc
        self._sub = await nc.subscribe(f"{self._prefix}.*", cb=self._received)

    async def stop(self) -> None:
        if self._sub is not None:
            try:
                await self._sub.unsubscribe()
            except Exception as error:  # NATS already closing: nothing left to receive
                log.info("signals_unsubscribe_failed", error=repr(error))
            self._sub = None
        self._nc = None

    async def send(self, terminal_ids: Sequence[str]) -> None:
        """Signal here at once, then to the other replicas (best effort)."""
        for terminal_id in terminal_ids:
            self._deliver(terminal_id)
        if self._nc is None:
            return
        for terminal_id in terminal_ids:
            try:
                await self._nc.publish(f"{self._prefix}.{terminal_id}", b"")
            except Exception as error:  # the fallbacks cover a lost signal
                log.warning("signal_not_sent", terminal_id=terminal_id, error=repr(error))

    async def _received(self, msg: Msg) -> None:
        self._deliver(msg.subject.rsplit(".", 1)[-1])

    def _deliver(self, terminal_id: str) -> None:
        for listener in self._listeners:
            listener(terminal_id)
