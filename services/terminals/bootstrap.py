"""terminals's composition root: its backbone, the parts it runs beside it, its app.

Started after the backbone (they need the pool and NATS) and stopped before it: terminal
signals, the agents' control channel, the credential check, the decision log, the
reaction to deleted users and the sweeper. The routes get what they use by name through
Litestar's dependency injection (``api/``), all of it built here.
"""

from datetime import timedelta
from pathlib import Path

import asyncpg
from litestar import Litestar
from litestar.di import Provide

from libs.events.clock import Clock, system_clock
from libs.events.envelope import Envelope
from libs.postgres.pool import create_pool
from libs.runtime.app import provided
from libs.runtime.backbone import Backbone, service_backbone
from services.terminals.adapters.agent_credentials import AgentCredentials
from services.terminals.adapters.control_channel import ControlChannel
from services.terminals.adapters.decision_facts import DecisionFacts
from services.terminals.adapters.decision_log import DecisionLog
from services.terminals.adapters.live_count import count_live_sessions
from services.terminals.adapters.postgres import PostgresUnitOfWork
from services.terminals.adapters.signals import TerminalSignals
from services.terminals.adapters.user_deletion import UserDeletionReactor
from services.terminals.app import metrics
from services.terminals.app.sessions import end_deleted_user_sessions, time_out_silent_sessions
from services.terminals.app.sweeper import Sweeper
from services.terminals.bus import RIGHTS
from services.terminals.consumers import PROJECTIONS
from services.terminals.http import create_app
from services.terminals.settings import SERVICE, TerminalsOwn, TerminalsSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class TerminalsRuntime:
    """The service's moving parts, for its HTTP handlers and background work."""

    def __init__(self, backbone: Backbone, own: TerminalsOwn, clock: Clock) -> None:
        self.backbone = backbone
        self.own = own
        self.clock = clock
        self.signals = TerminalSignals(backbone.events.subject_root)
        self.channel = ControlChannel(self.signals, own.order_recheck_s)
        self.credentials = AgentCredentials(self.signals, own.credential_cache_s)
        self.decisions = DecisionLog(backbone.committed)
        self.facts = DecisionFacts()
        self.reactor = UserDeletionReactor(
            settings=backbone.events, end_sessions=self._end_user_sessions
        )
        self.sweeper = Sweeper(self.sweep, own.sweep_interval_s)
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        """Connections for terminals' own queries and commands, beside the backbone's pool
        (relay, consumers): agents' batches and long polls never wait for a projection."""
        assert self._pool is not None, "runtime not started"
        return self._pool

    def uow(self) -> PostgresUnitOfWork:
        """A new unit of work on the service's database."""
        return PostgresUnitOfWork(self.pool, self.backbone.committed, self.signals.send)

    async def start(self) -> None:
        nc = self.backbone.nc
        self._pool = pool = await create_pool(
            self.backbone.core.database_url, min_size=1, max_size=self.backbone.core.pool_size
        )
        await self.signals.start(nc)
        self.channel.start(pool)
        self.credentials.start(pool)
        self.decisions.start(pool)
        self.facts.start(pool)
        await self.reactor.start(nc, pool)
        self.sweeper.start()

    async def stop(self) -> None:
        await self.sweeper.stop()
        await self.reactor.stop()
        await self.channel.stop()
        await self.decisions.stop()
        await self.facts.stop()
        await self.signals.stop()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def readiness(self) -> dict[str, bool]:
        checks = await self.backbone.readiness()
        checks["reactor:user_deleted"] = self.reactor.running
        return checks

    async def sweep(self) -> int:
        """Time out silent sessions; return how many timed out. Then count the live ones
        for /metrics: the sweep's interval is how fresh the gauge is."""
        timed_out = await time_out_silent_sessions(
            self.uow(), self.clock(), timedelta(seconds=self.own.heartbeat_timeout_s)
        )
        metrics.SESSIONS_LIVE.set(await count_live_sessions(self.pool))
        return timed_out

    async def _end_user_sessions(self, deleted: Envelope) -> int:
        return await end_deleted_user_sessions(deleted, self.uow(), self.clock())

    def dependencies(self) -> dict[str, Provide]:
        """What the routes are given, by name (``api/provided.py``)."""
        return {
            "db": provided(lambda: self.pool),
            "new_uow": provided(lambda: self.uow),
            "clock": provided(lambda: self.clock),
            "own": provided(lambda: self.own),
            "credentials": provided(lambda: self.credentials),
            "facts": provided(lambda: self.facts),
            "decisions": provided(lambda: self.decisions),
            "channel": provided(lambda: self.channel),
        }


def build_runtime(settings: TerminalsSettings, clock: Clock = system_clock) -> TerminalsRuntime:
    """terminals's backbone and runtime, not started; tests pass their clock."""
    backbone = service_backbone(
        SERVICE, settings, MIGRATIONS, projections=PROJECTIONS, rights=RIGHTS
    )
    return TerminalsRuntime(backbone, settings.own, clock)


def bootstrap(settings: TerminalsSettings, clock: Clock = system_clock) -> Litestar:
    """Wire terminals's backbone and runtime into its HTTP app."""
    return create_app(build_runtime(settings, clock), settings.own.trusted_proxies)
