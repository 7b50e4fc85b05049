"""Run a Litestar app under uvicorn until SIGINT or SIGTERM, then shut down gracefully."""

from collections.abc import Callable
from typing import TypeVar

import uvicorn
from litestar import Litestar

from libs.runtime.logging import configure
from libs.runtime.settings import CoreSettings, ServiceSettings, load_service_settings

S = TypeVar("S", bound=ServiceSettings)

SERVER = {"loop": "uvloop", "http": "httptools"}
"""uvloop and httptools, not asyncio's own loop and the pure-Python h11: on the agents'
decision path they halve what the HTTP stack costs a request (docs/performance.md)."""


def serve(app: Litestar, core: CoreSettings) -> None:
    """Serve ``app``; uvicorn turns SIGTERM into a graceful shutdown (on_shutdown hooks run)."""
    uvicorn.run(
        app,
        host=core.host,
        port=core.port,
        loop=SERVER["loop"],
        http=SERVER["http"],
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
    configure(service, settings.core.log_level)
    serve(bootstrap(settings), settings.core)
