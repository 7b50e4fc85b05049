"""Background work on a timer: a job run every so many seconds until cancelled."""

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from libs.events.correlation import correlated, new_correlation

log = structlog.get_logger("periodic")


async def every(interval_s: float, job: Callable[[], Awaitable[object]], *, name: str) -> None:
    """Run ``job`` every ``interval_s`` seconds until cancelled. A failure (Postgres or NATS
    away) is logged and the next round comes as usual: the loop outlives any one failure.
    Each round runs under a correlation id of its own (decision 0045): its log lines and
    the events it appends (a sweep's ended sessions, say) read as one story."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            with correlated(new_correlation()):
                await job()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("background_job_failed", job=name, error=repr(error))
