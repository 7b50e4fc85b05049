"""Running an app under real uvicorn, in-process, on a free loopback port.

Litestar's test client buffers whole request and response bodies; tests of streamed
uploads and downloads need the real server, its flow control and a real socket.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from litestar import Litestar

from libs.devservers.ports import LOOPBACK, free_port
from libs.runtime.serve import SERVER


@asynccontextmanager
async def served(app: Litestar, startup_timeout: float = 60.0) -> AsyncIterator[str]:
    """Serve ``app`` (lifespan included) until the block ends; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host=LOOPBACK, port=port, lifespan="on", log_config=None, access_log=False, **SERVER
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name=f"uvicorn-{port}")
    try:
        async with asyncio.timeout(startup_timeout):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("uvicorn stopped during start-up (see the log)")
                await asyncio.sleep(0.02)
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        await task
