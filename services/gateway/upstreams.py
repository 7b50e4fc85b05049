"""The gateway's HTTP clients to the services behind it.

Calls whose answer is read whole (``call``: every JSON call) go through
``upstream_pool.ConnectionPool``; streams (``open``) through aiohttp. Not httpx: profiled
under 50 concurrent admins, httpx spent more than half of the gateway's CPU in its
connection pool (every request polls every pooled connection to see whether it has
expired). The answers are the gateway's own small types, so the routes do not depend on
the client library.
"""

import asyncio
import json as jsonlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import httptools

from libs.events.envelope import Role
from libs.runtime.internal_auth import issue
from libs.runtime.problems import RETRY_AFTER_S, DomainError
from libs.runtime.token_keys import SigningKey
from services.gateway.messages import message
from services.gateway.settings import UpstreamSettings
from services.gateway.upstream_pool import ConnectionPool


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
    """503 with ``Retry-After``: a service behind the gateway did not answer. Only its
    routes answer so; the gateway itself stays ready (docs/decisions/0033)."""
    return DomainError(
        "upstream_unavailable",
        message("upstream_unavailable"),
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


@dataclass(frozen=True)
class Answer:
    """A service's whole answer."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class StreamedAnswer:
    """A service's answer whose body is read chunk by chunk; ``aclose`` it when done."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status_code = response.status
        self.headers: Mapping[str, str] = response.headers

    async def aread(self) -> bytes:
        try:
            return await self._response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise unavailable() from error

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.content.iter_any():
            yield chunk

    async def aclose(self) -> None:
        self._response.release()


Params = Mapping[str, Any]


def _query(params: Params | None) -> list[tuple[str, str]]:
    """``params`` as query pairs: lists repeat their key, booleans are ``true``/``false``,
    None is left out (a parameter not given; the routes never send an empty one)."""
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is None:
                continue
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            pairs.append((key, text))
    return pairs


class Upstreams:
    """One pooled HTTP client per service."""

    def __init__(self, settings: UpstreamSettings, key: SigningKey) -> None:
        self._settings = settings
        self._key = key
        self._urls = settings.urls()
        self.pools: dict[str, ConnectionPool] = {}
        """Whole answers (``call``)."""
        self.clients: dict[str, aiohttp.ClientSession] = {}
        """Streams (``open``) and readiness."""

    def _timeout(self, seconds: float | None) -> aiohttp.ClientTimeout:
        # Per operation, not for the whole exchange: a long download keeps going as long
        # as bytes keep coming.
        limit = seconds if seconds is not None else self._settings.upstream_timeout_s
        return aiohttp.ClientTimeout(total=None, sock_connect=limit, sock_read=limit)

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        acting: Acting,
        *,
        json: Any = None,
        params: Params | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Call ``service`` with a token for it naming ``acting``, valid for 60 seconds.

        A service that cannot be reached answers 503 ``upstream_unavailable``.
        """
        send = {**(headers or {}), **self._authorization(service, acting)}
        data = None
        if json is not None:
            data = jsonlib.dumps(json, ensure_ascii=False).encode()
            send["Content-Type"] = "application/json"
        elif method in ("POST", "PUT", "PATCH"):
            data = b""
        query = _query(params)
        target = f"{path}?{urlencode(query, quote_via=quote)}" if query else path
        try:
            status, answer_headers, content = await self.pools[service].request(
                method, target, send, data, self._settings.upstream_timeout_s
            )
        except (OSError, TimeoutError, httptools.HttpParserError) as error:
            raise unavailable() from error
        return Answer(status, answer_headers, content)

    def _authorization(self, service: str, acting: Acting) -> dict[str, str]:
        token = issue(
            self._key,
            audience=service,
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
        params: Params | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> StreamedAnswer:
        """A streamed call: the request body is sent, and the answer is left to be read
        chunk by chunk; the caller closes it (``relay.relay_stream`` does).

        ``acting`` None forwards ``headers`` as they are (the agent API carries its own
        credential, which only terminals can check).
        """
        auth = self._authorization(service, acting) if acting is not None else {}
        try:
            response = await self.clients[service].request(
                method,
                self._urls[service] + path,
                data=content,
                params=_query(params),
                headers={**(headers or {}), **auth},
                timeout=self._timeout(timeout),
            )
        except (aiohttp.ClientError, TimeoutError) as error:
            raise unavailable() from error
        return StreamedAnswer(response)

    async def start(self) -> None:
        for name, url in self._urls.items():
            self.pools[name] = ConnectionPool(url)
            # No cap on connections: agents hold their control-channel polls open through
            # the gateway, and a cap would queue their decisions behind those polls.
            self.clients[name] = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                auto_decompress=False,  # bytes pass through as the service sent them
                raise_for_status=False,
            )

    async def stop(self) -> None:
        for pool in self.pools.values():
            pool.close()
        self.pools = {}
        for client in self.clients.values():
            await client.close()
        self.clients = {}

    async def readiness(self) -> dict[str, bool]:
        """Each service's own readiness, asked in parallel with a short timeout."""

        async def ready(name: str, client: aiohttp.ClientSession) -> tuple[str, bool]:
            try:
                async with client.get(
                    self._urls[name] + "/health/ready", timeout=aiohttp.ClientTimeout(total=1.0)
                ) as response:
                    return name, response.status == 200
            except (aiohttp.ClientError, TimeoutError):
                return name, False

        results = await asyncio.gather(*(ready(n, c) for n, c in self.clients.items()))
        return dict(results)
