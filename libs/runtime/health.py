"""Liveness, readiness and Prometheus metrics routes, the same on every service."""

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response, get
from litestar.handlers import HTTPRouteHandler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


def health_handlers(
    service: str,
    readiness: ReadinessCheck,
    *,
    metrics_route: bool = True,
    upstreams: ReadinessCheck | None = None,
) -> list[HTTPRouteHandler]:
    """Route handlers for ``/health/live``, ``/health/ready`` and, with ``metrics_route``,
    ``/metrics`` (otherwise served by a listener of its own: ``serve.serve``).

    ``readiness``' checks decide 200 or 503. ``upstreams`` (the gateway's services) are
    reported beside them and never decide: one service down makes the status ``degraded``,
    still 200, since every replica would see the same and none could serve more
    (docs/decisions/0033).
    """

    @get(
        "/health/live",
        operation_id=f"{service}_live",
        include_in_schema=False,
        sync_to_thread=False,
    )
    def live() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @get("/health/ready", operation_id=f"{service}_ready", include_in_schema=False)
    async def ready() -> Response[dict[str, Any]]:
        checks = await readiness()
        ok = all(checks.values())
        body: dict[str, Any] = {"service": service, "checks": checks}
        status = "ok" if ok else "unavailable"
        if upstreams is not None:
            body["upstreams"] = reported = await upstreams()
            if ok and not all(reported.values()):
                status = "degraded"
        return Response({"status": status, **body}, status_code=200 if ok else 503)

    @get(
        "/metrics", operation_id=f"{service}_metrics", include_in_schema=False, sync_to_thread=False
    )
    def metrics() -> Response[bytes]:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return [live, ready, metrics] if metrics_route else [live, ready]
