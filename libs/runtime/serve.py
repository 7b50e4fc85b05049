"""Run a Litestar app under uvicorn until SIGINT or SIGTERM, then shut down gracefully."""

import uvicorn
from litestar import Litestar

from libs.runtime.settings import CoreSettings


def serve(app: Litestar, core: CoreSettings) -> None:
    """Serve ``app``; uvicorn turns SIGTERM into a graceful shutdown (on_shutdown hooks run)."""
    uvicorn.run(
        app,
        host=core.host,
        port=core.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
