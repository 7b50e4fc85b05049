"""HTTP request latency for /metrics, the same on every service (DESIGN.md, Observability)."""

import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Histogram

HTTP_REQUEST_SECONDS = Histogram(
    "fumidai_http_request_seconds",
    "Time from a request's arrival at its route to the end of its answer.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def request_latency(app: ASGIApp) -> ASGIApp:
    """Litestar middleware (it runs after routing): observes each request by method, route
    template (``/internal/v1/facilities/{code}/users``, never the raw path: ids would
    make a series each) and status. A handler that raises counts as 500."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        method = scope["method"]
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            route = str(scope.get("path_template") or "unrouted")
            HTTP_REQUEST_SECONDS.labels(method, route, str(status)).observe(
                time.perf_counter() - started
            )

    return middleware
