"""A request's dependencies are resolved in the request's own task, one at a time
(libs.runtime.dependency_order; docs/decisions/0047)."""

import asyncio
import hashlib
import inspect
from pathlib import Path
from types import MappingProxyType
from typing import Any

import msgspec
from litestar import Controller, Litestar, get
from litestar._kwargs.dependencies import resolve_dependency
from litestar.di import NamedDependency, Provide

from libs.events.settings import EventSettings
from libs.runtime.app import service_app
from libs.runtime.backbone import service_backbone
from libs.runtime.dependency_order import LITESTARS
from libs.runtime.settings import CoreSettings, ServiceSettings

LITESTAR_2_25_0 = "f5e60119abf69eff695b2287a6e46a44688f06a70157c4292243fa09080e44fa"
"""The sha256 of Litestar 2.25.0's ``KwargsModel.resolve_dependencies`` source."""
PLAIN_CALL_2_25_0 = {
    "resolve_dependency": "93389036f84284c2dcb5785658243ba160fb1516d1a0eb12ab97074035deaeba",
    "Provide.__call__": "87f50952f0498423d4c46b3224d202c16777d245c6ad1a6188e54e45c1252f23",
}
"""The sha256 of the two methods a plain provider's direct call stands for."""


async def first() -> int:
    return id(asyncio.current_task())


async def second() -> int:
    return id(asyncio.current_task())


async def third() -> int:
    return id(asyncio.current_task())


class Tasks(Controller):
    path = "/tasks"
    dependencies = MappingProxyType(
        {"first": Provide(first), "second": Provide(second), "third": Provide(third)}
    )

    @get(operation_id="tasks")
    async def tasks(
        self, first: NamedDependency[int], second: NamedDependency[int], third: NamedDependency[int]
    ) -> list[int]:
        return [first, second, third, id(asyncio.current_task())]


class Counted(Provide):
    """A provider that counts the calls Litestar makes of it."""

    calls = 0

    async def __call__(self, **kwargs: Any) -> Any:
        Counted.calls += 1
        return await super().__call__(**kwargs)


class Parts(Controller):
    path = "/parts"
    dependencies = MappingProxyType(
        {
            "plain": Counted(lambda: 7, sync_to_thread=False),  # as ``provided`` makes them
            "awaited": Counted(first),
        }
    )

    @get(operation_id="parts")
    async def parts(self, plain: NamedDependency[int], awaited: NamedDependency[int]) -> int:
        return plain


def app_of(routes: list[type[Controller]]) -> Litestar:
    core = CoreSettings(database_url="postgresql://unused/unused", nats_url="nats://unused:4222")
    settings = ServiceSettings(core=core, events=EventSettings())
    backbone = service_backbone("identity", settings, Path("/nonexistent"))
    return service_app(backbone, routes, accepts_tokens=False)


async def asked(app: Litestar, path: str) -> tuple[int, bytes]:
    """``app``'s answer to a GET of ``path``, called in process and never started (its
    backbone would need PostgreSQL and NATS)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)  # type: ignore[arg-type]
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def test_three_dependencies_are_resolved_in_the_requests_task() -> None:
    """Litestar's own way spawns a task per dependency of a level (three here)."""
    status, body = await asked(app_of([Tasks]), "/tasks")
    assert status == 200
    assert len(set(msgspec.json.decode(body))) == 1, "a dependency was resolved in its own task"


def test_the_replaced_method_is_litestar_2_25_0s() -> None:
    """An upgrade that changes the method we replace fails here until someone rereads it
    (litestar#4563 may have been fixed, or the replacement may miss something new)."""
    source = inspect.getsource(LITESTARS)
    assert hashlib.sha256(source.encode()).hexdigest() == LITESTAR_2_25_0


async def test_a_plain_provider_is_called_directly() -> None:
    """A function of no parameter run in the request's thread (``provided``'s kind) is
    called as is; any other goes through Litestar (decision 0049)."""
    Counted.calls = 0
    status, body = await asked(app_of([Parts]), "/parts")
    assert (status, body) == (200, b"7")
    assert Counted.calls == 1, "the plain provider went through Provide.__call__"


def test_what_the_direct_call_stands_for_is_litestar_2_25_0s() -> None:
    """The direct call does what these two did for such a provider in 2.25.0."""
    for method in (resolve_dependency, Provide.__call__):
        digest = hashlib.sha256(inspect.getsource(method).encode()).hexdigest()
        assert digest == PLAIN_CALL_2_25_0[method.__qualname__], method.__qualname__
