"""The gateway's HTTP clients to the services behind it.

Calls whose answer is read whole (``call``: every JSON call) go through
``upstream_pool.ConnectionPool``; streams (``open``) through aiohttp. Not httpx: profiled
under 50 concurrent admins, httpx spent more than half of the gateway's CPU in its
connection pool (every request polls every pooled connection to see whether it has
expired). The answers are the gateway's own small types, so the routes do not depend on
the client library.

A service may run as several replicas (decision 0039): calls go round them in turn. A
replica that refused a connection, broke one, or did not answer its readiness check is
skipped until a later check finds it ready again; it is still tried last, so that a wrong
verdict costs a slower call, never a refusal (``Replicas``). A call that could not reach
one is sent to the next when that is safe — the connection was refused, so nothing was
sent, or the method is idempotent. A service with one URL is always called there.
"""

import asyncio
import contextlib
import json as jsonlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import httptools

from libs.events.correlation import HEADER as CORRELATION_HEADER
from libs.events.correlation import current_correlation
from libs.events.envelope import Role
from libs.runtime.internal_auth import Issuer
from libs.runtime.problems import RETRY_AFTER_S, DomainError
from libs.runtime.token_keys import SigningKey
from services.gateway.adapters.upstream_pool import ConnectionPool
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


HEALTH_INTERVAL_S = 1.0
"""How often each replica's ``/health/ready`` is asked, when a service has more than one."""


class Replicas:
    """One service's replicas: their URLs and what the gateway last heard of each."""

    def __init__(self, urls: Sequence[str]) -> None:
        if not urls:
            raise ValueError("a service needs at least one URL")
        self.urls = list(urls)
        self._healthy = [True] * len(self.urls)
        self._next = 0

    @property
    def spread(self) -> bool:
        """More than one replica: worth choosing between, and checking."""
        return len(self.urls) > 1

    def order(self) -> list[int]:
        """The replicas to try for one call, by index: the healthy ones from the next in
        turn, then the others."""
        count = len(self.urls)
        if count == 1:
            return [0]
        start, self._next = self._next, (self._next + 1) % count
        turn = [(start + step) % count for step in range(count)]
        return [i for i in turn if self._healthy[i]] + [i for i in turn if not self._healthy[i]]

    def failed(self, index: int) -> None:
        """A call could not reach replica ``index``: skip it until it is found ready."""
        self._healthy[index] = False

    def checked(self, index: int, ready: bool) -> None:
        self._healthy[index] = ready

    def any_ready(self) -> bool:
        return any(self._healthy)


Check = Callable[[str], Awaitable[bool]]
"""Whether the replica at a base URL answers its readiness check."""


async def check_all(replicas: Sequence[Replicas], ready: Check) -> None:
    """Ask every replica of every service once, in parallel; record the answers."""

    async def one(group: Replicas, index: int) -> None:
        group.checked(index, await ready(group.urls[index]))

    await asyncio.gather(*(one(g, i) for g in replicas for i in range(len(g.urls))))


async def watch(replicas: Sequence[Replicas], ready: Check) -> None:
    """Check the replicas of services that have several, forever (a task of the gateway)."""
    spread = [group for group in replicas if group.spread]
    if not spread:
        return
    while True:
        await check_all(spread, ready)
        await asyncio.sleep(HEALTH_INTERVAL_S)


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


def _correlation() -> dict[str, str]:
    """The request's correlation id, passed on to the service (decision 0045)."""
    current = current_correlation()
    return {CORRELATION_HEADER: current} if current else {}


SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods whose call may run twice without a trace: reads."""


def _may_retry(method: str, error: BaseException) -> bool:
    """Whether a call that failed with ``error`` may go to another replica: a refused
    connection never reached a service; any other failure may come after the service acted.
    Our PUT and DELETE are not idempotent in effect — a user's PUT carries its version and
    may issue a one-time password, a DELETE that ran answers 404 the second time — so only
    reads are sent again: a replica that commits and dies before answering must not turn
    the admin's success into a 409 or hide the password it issued."""
    return isinstance(error, ConnectionRefusedError) or method in SAFE


class Upstreams:
    """One pooled HTTP client per service replica."""

    def __init__(self, settings: UpstreamSettings, key: SigningKey) -> None:
        self._settings = settings
        self.tokens = Issuer(key)
        """Internal tokens, one per service and acting for 15 s of their 60 (decision 0048)."""
        self.replicas = {name: Replicas(urls) for name, urls in settings.urls().items()}
        self.pools: dict[str, list[ConnectionPool]] = {}
        """Whole answers (``call``), one pool per replica."""
        self.clients: dict[str, aiohttp.ClientSession] = {}
        """Streams (``open``) and readiness."""
        self._watch: asyncio.Task[None] | None = None

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
        """Call ``service`` with a token for it naming ``acting``, valid for 45 seconds at least.

        A service that cannot be reached answers 503 ``upstream_unavailable``.
        """
        send = {**(headers or {}), **self._authorization(service, acting), **_correlation()}
        data = None
        if json is not None:
            data = jsonlib.dumps(json, ensure_ascii=False).encode()
            send["Content-Type"] = "application/json"
        elif method in ("POST", "PUT", "PATCH"):
            data = b""
        query = _query(params)
        target = f"{path}?{urlencode(query, quote_via=quote)}" if query else path
        replicas, failure = self.replicas[service], None
        for index in replicas.order():
            try:
                status, answer_headers, content = await self.pools[service][index].request(
                    method, target, send, data, self._settings.upstream_timeout_s
                )
            except (OSError, TimeoutError, httptools.HttpParserError) as error:
                replicas.failed(index)
                failure = error
                if _may_retry(method, error):
                    continue
                break
            return Answer(status, answer_headers, content)
        raise unavailable() from failure

    def _authorization(self, service: str, acting: Acting) -> dict[str, str]:
        token = self.tokens.token(
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
        replicas, failure = self.replicas[service], None
        for index in replicas.order():
            try:
                response = await self.clients[service].request(
                    method,
                    replicas.urls[index] + path,
                    data=content,
                    params=_query(params),
                    headers={**(headers or {}), **auth, **_correlation()},
                    timeout=self._timeout(timeout),
                )
            except aiohttp.ClientConnectorError as error:
                # Not connected: the body was not read, another replica may take it.
                replicas.failed(index)
                failure = error
                continue
            except (aiohttp.ClientError, TimeoutError) as error:
                replicas.failed(index)
                raise unavailable() from error
            return StreamedAnswer(response)
        raise unavailable() from failure

    async def start(self) -> None:
        for name, replicas in self.replicas.items():
            self.pools[name] = [ConnectionPool(url) for url in replicas.urls]
            # No cap on connections: agents hold their control-channel polls open through
            # the gateway, and a cap would queue their decisions behind those polls.
            self.clients[name] = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                auto_decompress=False,  # bytes pass through as the service sent them
                raise_for_status=False,
            )
        self._watch = asyncio.create_task(watch(list(self.replicas.values()), self._ready))

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        for pools in self.pools.values():
            for pool in pools:
                pool.close()
        self.pools = {}
        for client in self.clients.values():
            await client.close()
        self.clients = {}

    async def _ready(self, url: str) -> bool:
        """Whether the replica at ``url`` answers its readiness check, within a second."""
        client = next(iter(self.clients.values()))
        try:
            async with client.get(
                url + "/health/ready", timeout=aiohttp.ClientTimeout(total=1.0)
            ) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def readiness(self) -> dict[str, bool]:
        """Each service's own readiness (any replica's), asked in parallel with a short
        timeout; what is heard also tells the calls which replicas to skip."""
        await check_all(list(self.replicas.values()), self._ready)
        return {name: replicas.any_ready() for name, replicas in self.replicas.items()}
