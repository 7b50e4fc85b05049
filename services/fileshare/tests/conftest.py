"""fileshare served by real uvicorn in-process: a fresh database, the session's NATS, clamd,
and an SMTP server of its own; identity's events published as identity would."""

import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
import httpx
import msgspec
import pytest
from nats.aio.client import Client as NATS

from libs.devservers.smtp import MailCatcher
from libs.events.clock import SettableClock
from libs.events.settings import EventSettings
from libs.mail.smtp import SmtpSettings
from libs.testing.apps import core_settings
from libs.testing.fileshare_fixtures import ClamdServer
from libs.testing.served import served
from libs.testing.servers import SessionServers
from services.fileshare.bootstrap import bootstrap
from services.fileshare.settings import FileshareOwn, FileshareSettings
from services.fileshare.tests.world import World


@dataclass
class Fileshare:
    """A running fileshare and what a test needs to drive and inspect it."""

    url: str
    http: httpx.AsyncClient
    db: asyncpg.Pool
    nc: NATS
    settings: FileshareSettings
    clock: SettableClock
    mail: MailCatcher
    world: World
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def bucket_stream(self) -> str:
        return f"OBJ_{self.settings.own.bucket}"

    async def stored_bytes(self) -> int:
        """Bytes in the object store's stream: 0 when no blob (nor chunk) is left."""
        info = await self.nc.jetstream().stream_info(self.bucket_stream)
        return int(info.state.bytes)

    async def events(self, *types: str) -> list[str]:
        rows = await self.db.fetch("SELECT type FROM events ORDER BY position")
        return [r["type"] for r in rows if not types or r["type"].split(".")[0] in types]


def own_settings(
    clamd: ClamdServer, mail: MailCatcher, tag: str, **changes: object
) -> FileshareOwn:
    values: dict[str, object] = {
        "clamd_host": clamd.host,
        "clamd_port": clamd.port,
        "clamd_timeout_s": 60.0,
        "scan_retry_s": 0.3,
        "expiry_sweep_s": 0.3,
        "bucket": f"T{tag}_FILES",
        "smtp_host": mail.host,
        "smtp_port": mail.port,
        "mail_from": "fumidai@hospital.example",
        "mail_retry_s": (0.2, 0.5),
    }
    values.update(changes)
    mail_fields = {f.name for f in msgspec.structs.fields(SmtpSettings)}
    smtp = SmtpSettings(**{k: values.pop(k) for k in mail_fields & set(values)})  # type: ignore[arg-type]
    return FileshareOwn(smtp=smtp, **values)  # type: ignore[arg-type]


StartFileshare = Callable[..., Awaitable[Fileshare]]


@pytest.fixture
async def start_fileshare(
    servers: SessionServers,
    database_url: str,
    event_settings: EventSettings,
    nc: NATS,
    clamd_server: ClamdServer,
    mail_catcher: MailCatcher,
) -> AsyncIterator[StartFileshare]:
    """Start fileshare (optionally with changed settings); it stops at the test's end."""
    stack: list[Callable[[], Awaitable[None]]] = []
    tag = secrets.token_hex(4).upper()

    async def start(**changes: object) -> Fileshare:
        clock = SettableClock()
        mail_after_commit = changes.pop("mail_after_commit", None)
        settings = FileshareSettings(
            core=core_settings(database_url, servers.nats_url, servers.harness_seed_file),
            events=event_settings,
            own=own_settings(clamd_server, mail_catcher, tag, **changes),
        )
        app = bootstrap(settings, clock=clock, mail_after_commit=mail_after_commit)  # type: ignore[arg-type]
        context = served(app)
        url = await context.__aenter__()
        http = httpx.AsyncClient(base_url=url, timeout=120.0)
        db = await asyncpg.create_pool(database_url, min_size=1, max_size=4)

        async def stop() -> None:
            await http.aclose()
            await db.close()
            await context.__aexit__(None, None, None)

        stack.append(stop)
        world = World(nc=nc, settings=event_settings, db=db)
        await world.register_facilities()
        return Fileshare(url, http, db, nc, settings, clock, mail_catcher, world)

    yield start
    for stop in reversed(stack):
        await stop()
    with contextlib.suppress(Exception):  # never created, or NATS is gone
        await nc.jetstream().delete_stream(f"OBJ_T{tag}_FILES")


@pytest.fixture
async def fileshare(start_fileshare: StartFileshare) -> Fileshare:
    """fileshare with default test settings, facilities 998 and 997 registered."""
    return await start_fileshare()
