"""The gateway's HTTP clients to the services behind it."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from libs.events.envelope import Role
from libs.runtime.internal_auth import issue
from libs.runtime.problems import DomainError
from services.gateway.messages import message
from services.gateway.settings import UpstreamSettings


@dataclass(frozen=True)
class Acting:
    """On whose behalf the gateway calls a service: becomes the internal token's claims."""

    sub: str
    role: Role
    facility: str
    ip: str | None
    second_password_at: float | None = None
    """When identity last verified this user's second password (fileshare's F7 contract)."""


GATEWAY_ITSELF = "gateway"
"""``sub`` of the pre-authentication token (sign-in steps, before anyone is signed in)."""


def before_sign_in(ip: str | None) -> Acting:
    """The gateway acting for a browser nobody has signed in on yet."""
    return Acting(sub=GATEWAY_ITSELF, role="system", facility="*", ip=ip)


def unavailable() -> DomainError:
    """503: a service behind the gateway did not answer."""
    return DomainError("upstream_unavailable", message("upstream_unavailable"), status=503)


class Upstreams:
    """One pooled HTTP client per service."""

    def __init__(self, settings: UpstreamSettings, secret: str) -> None:
        self._settings = settings
        self._secret = secret
        self.clients: dict[str, httpx.AsyncClient] = {}

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        acting: Acting,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Call ``service`` with a token naming ``acting``, valid for 60 seconds.

        A service that cannot be reached answers 503 ``upstream_unavailable``.
        """
        try:
            return await self.clients[service].request(
                method,
                path,
                json=json,
                params=params,
                headers={**(headers or {}), **self._authorization(acting)},
            )
        except httpx.TransportError as error:
            raise unavailable() from error

    def _authorization(self, acting: Acting) -> dict[str, str]:
        token = issue(
            self._secret,
            sub=acting.sub,
            role=acting.role,
            facility=acting.facility,
            ip=acting.ip,
            second_password_at=acting.second_password_at,
        )
        return {"Authorization": f"Bearer {token}"}

    async def open(
        self,
        service: str,
        method: str,
        path: str,
        acting: Acting | None,
        *,
        content: AsyncIterator[bytes] | bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """A streamed call: the request body is sent, and the answer is left to be read
        chunk by chunk; the caller closes it (``relay.relay_stream`` does).

        ``acting`` None forwards ``headers`` as they are (the agent API carries its own
        credential, which only terminals can check).
        """
        client = self.clients[service]
        auth = self._authorization(acting) if acting is not None else {}
        request = client.build_request(
            method,
            path,
            content=content,
            params=params,
            headers={**(headers or {}), **auth},
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
        try:
            return await client.send(request, stream=True)
        except httpx.TransportError as error:
            raise unavailable() from error

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
