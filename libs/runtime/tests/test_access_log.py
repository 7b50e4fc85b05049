"""Each request's correlation id and its access line (pure: an app in process)."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.testing import TestClient
from litestar.types import Receive, Scope, Send

from libs.events.correlation import current_correlation, well_formed
from libs.runtime import access_log
from libs.runtime.access_log import correlated_requests, request_id, served_outside_routes
from libs.runtime.guards import VERIFIER_STATE, requires_role
from libs.runtime.internal_auth import Verifier
from libs.runtime.logging import configure
from libs.runtime.token_keys import trusted_keys
from libs.testing.apps import TEST_GATEWAY_KEY, Callers

SECRET = "s3cret-Recovery-Token"


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the service writes, as JSON lines."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    written = io.StringIO()
    configure("svc", stream=written)
    # A logger configured now: module loggers keep the configuration they first used.
    monkeypatch.setattr(access_log, "log", structlog.get_logger("access"))
    try:
        yield written
    finally:
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
        root.handlers[:], root.level = handlers, level


def parsed(written: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in written.getvalue().splitlines()]


@get("/things/{thing_id:str}", sync_to_thread=False, guards=[requires_role("admin")])
def thing(thing_id: FromPath[str]) -> dict[str, str | None]:
    structlog.get_logger("things").info("thing_read", thing_id=thing_id)
    return {"correlation": current_correlation()}


@get("/open", sync_to_thread=False)
def open_route() -> dict[str, str | None]:
    return {"correlation": current_correlation()}


def client() -> TestClient[Litestar]:
    app = Litestar(
        [thing, open_route],
        state=State(
            {VERIFIER_STATE: Verifier("svc", trusted_keys([TEST_GATEWAY_KEY.trusted().text()]))}
        ),
    )
    app.asgi_handler = correlated_requests(app.asgi_handler)
    return TestClient(app)


def admin() -> dict[str, str]:
    """An admin's headers, issued now: a token made at import expires (60 s) before a
    test that runs after slower ones in the same session."""
    return Callers("svc").bearer("admin01", "admin", "998")


def test_a_request_without_an_id_gets_a_fresh_one_it_is_answered() -> None:
    with client() as http:
        answer = http.get("/open", headers={"X-Request-Id": "from-anyone"})
    assert answer.headers["x-request-id"] == answer.json()["correlation"]
    assert answer.headers["x-request-id"] != "from-anyone"  # no token: not believed
    assert well_formed(answer.headers["x-request-id"])


def test_an_authenticated_callers_id_is_taken_if_well_formed() -> None:
    with client() as http:
        taken = http.get("/things/a", headers={**admin(), "X-Request-Id": "gw-req-1"})
        malformed = http.get("/things/a", headers={**admin(), "X-Request-Id": "a b\tc"})
        forged = http.get(
            "/things/a", headers={"Authorization": "Bearer x.y.z", "X-Request-Id": "gw-req-2"}
        )
    assert taken.json()["correlation"] == taken.headers["x-request-id"] == "gw-req-1"
    assert malformed.headers["x-request-id"] != "a b\tc"
    assert forged.status_code == 401 and forged.headers["x-request-id"] != "gw-req-2"


def test_a_trusted_proxy_may_name_the_id_and_no_one_else() -> None:
    def scope(peer: str) -> Any:
        return {"headers": [(b"x-request-id", b"edge-7")], "client": (peer, 5000)}

    assert request_id(scope("10.0.0.5"), ("10.0.0.0/8",), accepts_tokens=False) == "edge-7"
    assert request_id(scope("192.0.2.1"), ("10.0.0.0/8",), accepts_tokens=False) != "edge-7"


def test_one_access_line_per_request_with_its_route_and_no_secret(lines: io.StringIO) -> None:
    headers = admin()
    with client() as http:
        answer = http.get(
            f"/things/a?token={SECRET}",
            headers={**headers, "X-Request-Id": "gw-req-3", "Cookie": f"fumidai_session={SECRET}"},
        )
    assert answer.status_code == 200
    written = parsed(lines)
    assert SECRET not in lines.getvalue()
    assert headers["Authorization"].split()[1] not in lines.getvalue()
    [read] = [line for line in written if line["event"] == "thing_read"]
    [access] = [line for line in written if line["event"] == "request"]
    assert read["correlation_id"] == access["correlation_id"] == "gw-req-3"
    assert access["service"] == "svc"
    assert access["route"] == "/things/{thing_id}"  # the template, never the raw path
    assert (access["method"], access["status"], access["role"]) == ("GET", 200, "admin")
    assert access["bytes"] == len(answer.content) and access["duration_ms"] >= 0
    assert access["client"] == "testclient"


def test_an_app_answering_outside_the_routes_names_its_line(
    lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gateway's console answers inside the wrapper but outside the routes: its line
    names the route it is given, never the raw path, at debug when asked to be quiet."""
    configure("svc", level="debug", stream=lines)
    monkeypatch.setattr(access_log, "log", structlog.get_logger("access"))
    app = Litestar([open_route])
    routes = app.asgi_handler

    async def front(scope: Scope, receive: Receive, send: Send) -> None:
        if str(scope.get("path", "")).startswith("/ui/"):
            served_outside_routes(scope, "ui", quiet=scope["path"] != "/ui/loud")
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"page", "more_body": False})
            return
        await routes(scope, receive, send)

    app.asgi_handler = correlated_requests(front)
    with TestClient(app) as http:
        quiet = http.get(f"/ui/{SECRET}")
        loud = http.get("/ui/loud")
    assert SECRET not in lines.getvalue()
    access = {line["correlation_id"]: line for line in parsed(lines) if line["event"] == "request"}
    assert (
        access[quiet.headers["x-request-id"]]["route"],
        access[quiet.headers["x-request-id"]]["level"],
    ) == ("ui", "debug")
    assert (
        access[loud.headers["x-request-id"]]["route"],
        access[loud.headers["x-request-id"]]["level"],
    ) == ("ui", "info")
    assert access[quiet.headers["x-request-id"]]["bytes"] == 4
