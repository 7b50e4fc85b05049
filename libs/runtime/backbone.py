"""What connects one service to the world: its pool, migrations, NATS, relay, projections.

A service's composition root builds one ``Backbone`` and hands it to its app factory;
the app starts it on startup and stops it on shutdown (drain NATS, close the pool).
"""

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import asyncpg
import nats
import structlog
from nats.aio.client import Client as NATS

from libs.events.access import BusRights
from libs.events.consumer import ConsumerRunner
from libs.events.deadletter import DeadLetterMover
from libs.events.projection import Projection
from libs.events.relay import Relay
from libs.events.settings import EventSettings
from libs.events.store import Notifier
from libs.events.streams import await_streams, ensure_streams
from libs.postgres.migrations import Migration, apply, discover
from libs.postgres.pool import create_pool
from libs.runtime.nats_client import connect_options
from libs.runtime.settings import CoreSettings, ServiceSettings

log = structlog.get_logger("backbone")

EVENTS_MIGRATIONS = Path(__file__).resolve().parent.parent / "events" / "migrations"


def service_migrations(service: str, folder: Path) -> list[Migration]:
    """The event store's migrations followed by the service's own."""
    return [*discover("events", EVENTS_MIGRATIONS), *discover(service, folder)]


def service_backbone(
    service: str,
    settings: ServiceSettings,
    migrations: Path,
    *,
    projections: Sequence[Projection] = (),
    rights: BusRights | None = None,
    relay: bool = True,
    server_settings: Mapping[str, str] | None = None,
) -> "Backbone":
    """The backbone a service's composition root builds: its settings, the event store's
    migrations then those in its ``migrations`` folder, the projections it runs and its
    rights on the bus (the rest: see ``Backbone``)."""
    return Backbone(
        service=service,
        core=settings.core,
        events=settings.events,
        migrations=service_migrations(service, migrations),
        projections=projections,
        rights=rights,
        relay=relay,
        server_settings=server_settings,
    )


class Backbone:
    """Pool, NATS connection, relay, projection runners and dead-letter mover of a service."""

    def __init__(
        self,
        *,
        service: str,
        core: CoreSettings,
        events: EventSettings,
        migrations: list[Migration],
        projections: Sequence[Projection] = (),
        relay: bool = True,
        server_settings: Mapping[str, str] | None = None,
        rights: BusRights | None = None,
    ) -> None:
        """``server_settings``: PostgreSQL settings of every pooled connection.

        ``rights``: what the service does on the bus (its NATS identity's permissions); it
        provisions the streams of the contexts it publishes and waits for the others it
        reads. None (a test's backbone): it provisions every stream.
        """
        self.service = service
        self.core = core
        self.events = events
        self._migrations = migrations
        self.projections = projections
        self._with_relay = relay
        self._server_settings = dict(server_settings or {})
        self.rights = rights
        self._pool: asyncpg.Pool | None = None
        self._nc: NATS | None = None
        self.notifier: Notifier | None = None
        self.relay: Relay | None = None
        self.runners: list[ConsumerRunner] = []
        self.deadletters: DeadLetterMover | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "backbone not started"
        return self._pool

    @property
    def nc(self) -> NATS:
        assert self._nc is not None, "backbone not started"
        return self._nc

    async def start(self) -> None:
        """Migrate, connect, provision streams, start relay, projections and dead letters."""
        self._pool = await create_pool(
            self.core.database_url,
            min_size=1,
            max_size=self.core.pool_size,
            server_settings=self._server_settings,
        )
        async with self._pool.acquire() as conn:
            applied = await apply(conn, self._migrations)
        if applied:
            log.info("migrations_applied", migrations=applied)
        self._nc = await self._connect_nats()
        await self._provision_streams()
        self.notifier = Notifier(
            self._pool,
            local_leads=lambda: self.relay is not None and self.relay.is_leader,
            pace_s=self.events.relay_gather_s,
        )
        self.notifier.start()
        if self._with_relay:
            self.relay = Relay(
                service=self.service,
                dsn=self.core.database_url,
                pool=self._pool,
                nc=self._nc,
                settings=self.events,
                wake=self.notifier.subscribe_local(),
            )
            self.relay.start()
        for projection in self.projections:
            runner = ConsumerRunner(
                projection=projection, pool=self._pool, nc=self._nc, settings=self.events
            )
            await runner.start()
            self.runners.append(runner)
        if self.projections:
            self.deadletters = DeadLetterMover(
                service=self.service,
                projections=self.projections,
                nc=self._nc,
                settings=self.events,
            )
            await self.deadletters.start()
        log.info("backbone_started", projections=[p.name for p in self.projections])

    async def _provision_streams(self) -> None:
        """Create the streams this service may create; wait for those it only reads."""
        js = self.nc.jetstream()
        rights = self.rights
        if rights is None or self.events.provision_all_streams:
            await ensure_streams(js, self.events)
            return
        # Created when missing, changed never: a service that could change a stream could
        # make it capture or source others' messages and read them through a consumer of
        # its own (decision 0026); the provisioner brings streams to changed settings.
        await ensure_streams(
            js, self.events, contexts=rights.publishes, shared=rights.dead_letters, update=False
        )
        read = sorted({context for context, _ in rights.durables} - set(rights.publishes))
        await await_streams(js, [self.events.stream_name(context) for context in read])

    async def _connect_nats(self) -> NATS:
        async def disconnected() -> None:
            log.warning("nats_disconnected")

        async def reconnected() -> None:
            log.info("nats_reconnected")

        async def error(exc: Exception) -> None:
            log.warning("nats_error", error=repr(exc))

        delay = 0.2
        while True:
            try:
                return await nats.connect(
                    servers=self.core.nats_servers,
                    name=f"fumidai-{self.service}",
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    disconnected_cb=disconnected,
                    reconnected_cb=reconnected,
                    error_cb=error,
                    **connect_options(self.core, self.service),
                )
            except (OSError, nats.errors.NoServersError, TimeoutError) as exc:
                log.warning("nats_unreachable", error=repr(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def stop(self) -> None:
        """Stop consuming, stop the relay, drain NATS, close the pool."""
        if self.deadletters is not None:
            await self.deadletters.stop()
        for runner in self.runners:
            await runner.stop()
        self.runners = []
        if self.relay is not None:
            await self.relay.stop()
        if self.notifier is not None:
            await self.notifier.stop()
        if self._nc is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5.0):
                    await self._nc.drain()
            self._nc = None
        if self._pool is not None:
            await _close_pool(self._pool)
            self._pool = None
        log.info("backbone_stopped")

    def committed(self) -> None:
        """Tell the relay that a transaction with events committed."""
        if self.notifier is not None:
            self.notifier.poke()

    async def readiness(self) -> dict[str, bool]:
        """Each dependency's state: database, NATS, relay, every consumer."""
        checks: dict[str, bool] = {}
        try:
            async with asyncio.timeout(2.0):
                checks["database"] = bool(await self.pool.fetchval("SELECT true"))
        except Exception:
            checks["database"] = False
        checks["nats"] = self._nc is not None and self._nc.is_connected
        if self._with_relay:
            checks["relay"] = self.relay is not None and self.relay.running
        for runner in self.runners:
            checks[f"consumer:{runner.projection.name}"] = runner.running
        return checks


POOL_CLOSE_S = 10.0
"""How long a stopping service waits for its connections to come back before it cuts them."""


async def _close_pool(pool: asyncpg.Pool) -> None:
    """Close gracefully, then terminate: asyncpg's ``close`` waits without a bound for every
    connection to be released, and one held by a query that never returns (a server under
    load, a lost connection) stopped a service for good — and a test's teardown for 300 s."""
    try:
        async with asyncio.timeout(POOL_CLOSE_S):
            await pool.close()
    except TimeoutError:
        log.warning("pool_close_timeout", waited_s=POOL_CLOSE_S)
        pool.terminate()
