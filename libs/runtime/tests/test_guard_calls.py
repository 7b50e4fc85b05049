"""Guards are given the route's handler itself, not a copy (libs.runtime.guard_calls;
docs/decisions/0049)."""

import hashlib
import inspect
from pathlib import Path

from litestar import get
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.routes import HTTPRoute

from libs.events.settings import EventSettings
from libs.runtime.app import service_app
from libs.runtime.backbone import service_backbone
from libs.runtime.guard_calls import LITESTARS
from libs.runtime.settings import CoreSettings, ServiceSettings
from libs.runtime.tests.test_dependency_order import asked

LITESTAR_2_25_0 = "38b2c6f9f875778ee7338ddd7c6d2c227d4017d9697ecffbb61aa89d5c30c071"
"""The sha256 of Litestar 2.25.0's ``BaseRouteHandler.authorize_connection`` source."""

given: list[BaseRouteHandler] = []


async def noting(_: ASGIConnection, handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    given.append(handler)


@get("/guarded", sync_to_thread=False, guards=[noting, noting])
def guarded() -> str:
    return "ok"


async def test_each_guard_is_given_the_routes_own_handler() -> None:
    """Litestar's own method copies the handler for every guard (~8 µs each)."""
    core = CoreSettings(database_url="postgresql://unused/unused", nats_url="nats://unused:4222")
    settings = ServiceSettings(core=core, events=EventSettings())
    backbone = service_backbone("identity", settings, Path("/nonexistent"))
    app = service_app(backbone, [guarded], accepts_tokens=False)
    given.clear()
    status, _ = await asked(app, "/guarded")
    assert status == 200
    route = next(r for r in app.routes if r.path == "/guarded")
    assert isinstance(route, HTTPRoute)
    served = route.route_handlers[0]
    assert len(given) == 2 and all(handler is served for handler in given)


def test_the_replaced_method_is_litestar_2_25_0s() -> None:
    """An upgrade that changes the method we replace fails here until someone rereads it."""
    source = inspect.getsource(LITESTARS)
    assert hashlib.sha256(source.encode()).hexdigest() == LITESTAR_2_25_0
