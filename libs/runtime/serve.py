"""Run a Litestar app under uvicorn until SIGINT or SIGTERM, then shut down gracefully."""

import gc
from collections.abc import Callable
from typing import Any, TypeVar

import uvicorn
from litestar import Litestar
from prometheus_client import start_http_server

from libs.runtime.logging import configure
from libs.runtime.settings import CoreSettings, ServiceSettings, load_service_settings

S = TypeVar("S", bound=ServiceSettings)

SERVER: dict[str, Any] = {"loop": "uvloop", "http": "httptools", "proxy_headers": False}
"""How every service is served, and tests and benches serve it alike.

uvloop and httptools, not asyncio's own loop and the pure-Python h11: on the agents'
decision path they halve what the HTTP stack costs a request (docs/performance.md).
No proxy headers: uvicorn would otherwise take X-Forwarded-For from any peer on
127.0.0.1 as the client's address; which proxies are believed is each service's own
setting (``trusted_proxies``, ``libs/runtime/source_address.py``)."""


def _freeze_startup_heap() -> None:
    """Keep what start-up built (modules, the app, pools) out of the collector's sight.

    It lives as long as the process, and a full collection that walks it pauses every
    request in flight: 17.5 ms for terminals' imports alone on this machine, the size of
    the decisions' p99 misses (docs/performance.md). Only in a service process: a test
    process that freezes keeps every earlier test's garbage for good.
    """
    gc.freeze()


def serve(app: Litestar, core: CoreSettings) -> None:
    """Serve ``app``; uvicorn turns SIGTERM into a graceful shutdown (on_shutdown hooks run)."""
    app.on_startup.append(_freeze_startup_heap)  # after every other start-up hook
    if core.metrics_port:
        # A thread of prometheus_client's own on the monitoring listener: the API's port
        # may be public (the gateway's is), this one is for the scraper alone.
        start_http_server(core.metrics_port, core.metrics_host)
    uvicorn.run(
        app,
        host=core.host,
        port=core.port,
        **SERVER,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )


def run_service(
    service: str,
    bootstrap: Callable[[S], Litestar],
    load_settings: Callable[[str], S] = load_service_settings,  # type: ignore[assignment]
) -> None:
    """Read settings, configure logging, build the app with ``bootstrap`` and serve it."""
    settings = load_settings(service)
    configure(service, settings.core.log_level, log_format=settings.core.log_format)
    serve(bootstrap(settings), settings.core)
