"""The gateway's HTTP clients to the services behind it."""

import asyncio

import httpx

from services.gateway.settings import UpstreamSettings


class Upstreams:
    """One pooled HTTP client per service."""

    def __init__(self, settings: UpstreamSettings) -> None:
        self._settings = settings
        self.clients: dict[str, httpx.AsyncClient] = {}

    async def start(self) -> None:
        for name, url in self._settings.urls().items():
            self.clients[name] = httpx.AsyncClient(
                base_url=url, timeout=self._settings.upstream_timeout_s
            )

    async def stop(self) -> None:
        for client in self.clients.values():
            await client.aclose()
        self.clients = {}

    async def readiness(self) -> dict[str, bool]:
        """Each service's own readiness, asked in parallel with a short timeout."""

        async def ready(name: str, client: httpx.AsyncClient) -> tuple[str, bool]:
            try:
                response = await client.get("/health/ready", timeout=1.0)
            except httpx.HTTPError:
                return name, False
            return name, response.status_code == 200

        results = await asyncio.gather(*(ready(n, c) for n, c in self.clients.items()))
        return dict(results)
