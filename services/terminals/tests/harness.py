"""Helpers of terminals' tests: a real HTTP server, a movable clock, identity's events.

The service runs under uvicorn in the test's own event loop on a loopback port, so that
concurrent requests really are concurrent (Litestar's test client runs one at a time,
which a held agent poll or two admins racing need). identity's side is played by
publishing catalogue events to the identity stream, as identity's relay would.
"""

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import msgspec
import uvicorn
from litestar import Litestar
from nats.aio.client import Client as NATS

from fumidai_cli.reference_agent.client import AgentClient
from libs.events.catalogue import AnyEvent
from libs.events.catalogue.identity import (
    AdminCreated,
    FacilityRegistered,
    FacilitySettingsChanged,
)
from libs.events.catalogue.users import (
    AccessHours,
    TerminalAssigned,
    TerminalUnassigned,
    UserCreated,
    UserDeleted,
    UserProfile,
    UserUpdated,
)
from libs.events.clock import SettableClock
from libs.events.codec import decode, encode
from libs.events.envelope import Actor, Envelope, envelop
from libs.events.ids import new_id
from libs.events.settings import EventSettings
from libs.events.subjects import subject_of
from libs.runtime.serve import SERVER
from services.terminals.bootstrap import TerminalsRuntime
from services.terminals.tests.callers import bearer

CODE = "998"
DOMAIN = "nrasdev.onmicrosoft.com"
ADMIN = f"{CODE}-operation-admin01@{DOMAIN}"
IDENTITY_ACTOR = Actor(id=ADMIN, role="admin", ip="192.0.2.10")


def account(name: str, code: str = CODE) -> str:
    return f"{code}-{name}@{DOMAIN}"


def admin_headers(code: str = CODE, sub: str | None = None) -> dict[str, str]:
    """The gateway's token for an admin of facility ``code``."""
    return bearer(sub or f"{code}-operation-admin01@{DOMAIN}", "admin", code)


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 10.0, poll: float = 0.02
) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(poll)


def fake_clock() -> SettableClock:
    """The service's time, moved by the test. Starts Monday 2025-03-24 10:00 JST."""
    return SettableClock(datetime(2025, 3, 24, 1, 0, tzinfo=UTC))


@contextlib.asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[str]:
    """Serve ``app`` (lifespan included) on a loopback port; yield its base URL."""
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it every answer waits for a delayed ACK (40 ms).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
            **SERVER,
        )
    )
    # _serve, not serve: serve() installs process-wide signal handlers, which two
    # servers in one test would restore in the wrong order.
    task = asyncio.create_task(server._serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), f"server did not start: {task.exception()!r}"
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass
class Service:
    """A running terminals service: its URL, an HTTP client, its runtime and clock."""

    url: str
    http: httpx.AsyncClient
    runtime: TerminalsRuntime
    clock: SettableClock

    async def admin(
        self, method: str, path: str, code: str = CODE, **kwargs: Any
    ) -> httpx.Response:
        """A call of the admin API as facility ``code``'s admin (path after the code)."""
        headers = kwargs.pop("headers", None) or admin_headers(code)
        return await self.http.request(
            method, f"/internal/v1/facilities/{code}{path}", headers=headers, **kwargs
        )

    async def create_terminal(self, name: str, code: str = CODE) -> str:
        response = await self.admin("POST", "/terminals", code, json={"name": name})
        assert response.status_code == 201, response.text
        terminal_id: str = response.json()["terminal"]["terminal_id"]
        return terminal_id

    async def credential(self, terminal_id: str, code: str = CODE) -> str:
        response = await self.admin("POST", f"/terminals/{terminal_id}/credentials", code)
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def agent(self, token: str) -> AgentClient:
        return AgentClient(self.url, token, timeout=30)


@dataclass
class User:
    user_id: str
    account: str
    facility: str
    version: int
    profile: UserProfile


class IdentityFeed:
    """Plays identity: publishes its events to the identity stream, then waits until the
    terminals service has applied them."""

    def __init__(self, nc: NATS, settings: EventSettings, runtime: TerminalsRuntime) -> None:
        self._js = nc.jetstream()
        self._settings = settings
        self._runtime = runtime
        self.facility_ids: dict[str, str] = {}
        """code → aggregate id of the facilities this feed registered."""

    async def publish(self, *envelopes: Envelope, wait: bool = True) -> None:
        for env in envelopes:
            await self._js.publish(
                subject_of(self._settings.subject_root, env),
                encode(env),
                headers={"Nats-Msg-Id": env.event_id, "Fumidai-Type": env.type},
            )
        if wait:
            await self.applied(*envelopes)

    async def applied(self, *envelopes: Envelope) -> None:
        pool = self._runtime.backbone.pool

        async def done() -> bool:
            count = await pool.fetchval(
                "SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])",
                [env.event_id for env in envelopes],
            )
            return bool(count == len(envelopes))

        await eventually(done)

    def event(self, data: AnyEvent, aggregate_id: str, version: int, code: str) -> Envelope:
        return envelop(
            data, facility=code, aggregate_id=aggregate_id, version=version, actor=IDENTITY_ACTOR
        )

    async def facility(self, code: str = CODE, time_zone: str = "Asia/Tokyo") -> str:
        """Register facility ``code``; its aggregate id (for its settings changes)."""
        registered = FacilityRegistered(
            code=code, name=f"{code}-Hospital", domain=DOMAIN, time_zone=time_zone
        )
        facility_id = self.facility_ids.setdefault(code, new_id())
        await self.publish(self.event(registered, facility_id, 1, code))
        return facility_id

    async def settings(self, version: int, code: str = CODE, **changes: Any) -> Envelope:
        """Publish facility ``code``'s settings change as its ``version``th event."""
        changed = FacilitySettingsChanged(code=code, **changes)
        envelope = self.event(changed, self.facility_ids.setdefault(code, new_id()), version, code)
        await self.publish(envelope)
        return envelope

    async def admin(self, name: str = "operation-admin01", code: str = CODE) -> str:
        created = AdminCreated(facility_id=new_id(), account=account(name, code), name=name)
        await self.publish(self.event(created, new_id(), 1, code))
        return created.account

    async def user(
        self,
        name: str,
        *,
        macs: tuple[str, ...] = ("00:11:22:33:44:55",),
        hours: tuple[str, str] | None = None,
        valid_from: date = date(2024, 12, 1),
        valid_until: date = date(2026, 3, 31),
        terminals: tuple[str, ...] = (),
        code: str = CODE,
    ) -> User:
        profile = UserProfile(
            family_name="operation",
            given_name=name,
            email=f"{name}@example.jp",
            valid_from=valid_from,
            valid_until=valid_until,
            macs=macs,
            hours=AccessHours(start=hours[0], end=hours[1]) if hours else None,
        )
        user = User(new_id(), account(name, code), code, 1, profile)
        events = [
            self.event(UserCreated(account=user.account, profile=profile), user.user_id, 1, code)
        ]
        for terminal_id in terminals:
            user.version += 1
            events.append(self._assignment(user, terminal_id, assigned=True))
        await self.publish(*events)
        return user

    def _assignment(self, user: User, terminal_id: str, *, assigned: bool) -> Envelope:
        data: AnyEvent = (
            TerminalAssigned(account=user.account, terminal_id=terminal_id)
            if assigned
            else TerminalUnassigned(account=user.account, terminal_id=terminal_id)
        )
        return self.event(data, user.user_id, user.version, user.facility)

    async def assign(self, user: User, terminal_id: str, *, assigned: bool = True) -> Envelope:
        user.version += 1
        envelope = self._assignment(user, terminal_id, assigned=assigned)
        await self.publish(envelope)
        return envelope

    async def update(self, user: User, **changes: Any) -> None:
        user.version += 1
        user.profile = UserProfile(**{**_fields(user.profile), **changes})
        updated = UserUpdated(account=user.account, profile=user.profile, changed=tuple(changes))
        await self.publish(self.event(updated, user.user_id, user.version, user.facility))

    async def delete(self, user: User) -> Envelope:
        user.version += 1
        envelope = self.event(
            UserDeleted(account=user.account), user.user_id, user.version, user.facility
        )
        await self.publish(envelope)
        return envelope


async def metric(service: Service, name: str, **labels: str) -> float:
    """A sample of the service's /metrics (0 when absent): exactly these labels."""
    text = (await service.http.get("/metrics")).text
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(prefix))


async def recorded(service: Service, event_type: str) -> list[dict[str, Any]]:
    """The payloads of the service's events of one type, in log order, with the actor and
    the causation id of each."""
    rows = await service.runtime.backbone.pool.fetch(
        "SELECT payload FROM events WHERE type = $1 ORDER BY tx_id, position", event_type
    )
    found = []
    for row in rows:
        envelope = decode(bytes(row["payload"]))
        found.append(
            {
                **msgspec.to_builtins(envelope.data),
                "actor": envelope.actor.id,
                "causation_id": envelope.causation_id,
                "aggregate_id": envelope.aggregate_id,
            }
        )
    return found


def _fields(profile: UserProfile) -> dict[str, Any]:
    return {name: getattr(profile, name) for name in profile.__struct_fields__}
