"""The gateway's keep-alive connections to a service, against a real socket server whose
every misbehaviour is scripted: reuse, closes, retries, timeouts, bad answers."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httptools
import pytest

from services.gateway.adapters import upstream_pool
from services.gateway.adapters.upstream_pool import ConnectionPool, UpstreamClosed

OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"

# What the server does with the n-th request (counted from 0) on its c-th connection.
Script = Callable[[int, int, bytes], bytes | None]
"""(connection, request number on it, request) -> the bytes to answer, or None to close."""


@dataclass
class Service:
    url: str
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return head + await reader.readexactly(length)


Serve = Callable[[Script], Awaitable[Service]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    servers: list[asyncio.Server] = []

    async def start(script: Script) -> Service:
        service = Service(url="")

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            number, service.connections = service.connections, service.connections + 1
            try:
                for nth in range(1000):
                    request = await _read_request(reader)
                    service.requests.append(request)
                    answer = script(number, nth, request)
                    if answer is None:
                        break
                    writer.write(answer)
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        service.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return service

    yield start
    for server in servers:
        server.close()


async def test_answers_are_read_whole_and_connections_kept(serve: Serve) -> None:
    chunked = (
        b"HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
        b"transfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    service = await serve(lambda c, n, r: chunked if b"POST" in r else OK)
    pool = ConnectionPool(service.url)
    assert await pool.request("GET", "/a?x=1", {"X-Test": "1"}, None, 5) == (
        200,
        {"content-type": "application/json", "content-length": "2"},
        b"{}",
    )
    status, headers, body = await pool.request("POST", "/b", {}, b'{"k":1}', 5)
    assert (status, headers["content-type"], body) == (201, "text/plain", b"abcde")
    assert service.connections == 1
    first, second = service.requests
    assert (
        first.startswith(b"GET /a?x=1 HTTP/1.1\r\nHost: 127.0.0.1:") and b"X-Test: 1\r\n" in first
    )
    assert second.endswith(b'Content-Length: 7\r\n\r\n{"k":1}')
    pool.close()


async def test_a_connection_the_service_closes_is_not_reused(serve: Serve) -> None:
    closing = OK.replace(b"\r\n\r\n", b"\r\nconnection: close\r\n\r\n", 1)
    service = await serve(lambda c, n, r: closing)
    pool = ConnectionPool(service.url)
    for _ in range(3):
        assert (await pool.request("GET", "/", {}, None, 5))[0] == 200
    assert service.connections == 3


async def test_a_request_the_closing_service_never_read_is_retried_only_when_idempotent(
    serve: Serve,
) -> None:
    # The first connection answers once, then closes on the next request unanswered: what
    # a keep-alive close racing with a new request looks like from the gateway.
    service = await serve(lambda c, n, r: None if c == 0 and n == 1 else OK)
    pool = ConnectionPool(service.url)
    assert (await pool.request("GET", "/", {}, None, 5))[0] == 200
    assert (await pool.request("GET", "/again", {}, None, 5))[0] == 200
    assert service.connections == 2 and service.requests[-1].startswith(b"GET /again")

    post_service = await serve(lambda c, n, r: None if c == 0 and n == 1 else OK)
    pool = ConnectionPool(post_service.url)
    await pool.request("POST", "/", {}, b"", 5)
    with pytest.raises(UpstreamClosed):
        await pool.request("POST", "/command", {}, b"{}", 5)
    assert post_service.connections == 1  # never sent twice
    assert (await pool.request("POST", "/next", {}, b"{}", 5))[0] == 200


async def test_a_late_or_broken_answer_fails_the_call_and_its_connection(serve: Serve) -> None:
    def script(c: int, n: int, r: bytes) -> bytes | None:
        if b"/slow" in r:
            return b""  # never answers
        if b"/garbage" in r:
            return b"HTTP/1.1 2x0 ???\r\n\r\n"
        return OK

    service = await serve(script)
    pool = ConnectionPool(service.url)
    with pytest.raises(TimeoutError):
        await pool.request("GET", "/slow", {}, None, 0.2)
    with pytest.raises(httptools.HttpParserError):
        await pool.request("GET", "/garbage", {}, None, 5)
    assert (await pool.request("GET", "/fine", {}, None, 5))[0] == 200
    assert service.connections == 3  # neither failed connection was used again


async def test_an_idle_connection_is_dropped_before_the_service_would_close_it(
    serve: Serve,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(upstream_pool, "IDLE_S", 0.05)
    service = await serve(lambda c, n, r: OK)
    pool = ConnectionPool(service.url)
    await pool.request("GET", "/", {}, None, 5)
    await asyncio.sleep(0.1)
    await pool.request("GET", "/", {}, None, 5)
    assert service.connections == 2


async def test_nothing_a_client_sent_can_split_a_request(serve: Serve) -> None:
    service = await serve(lambda c, n, r: OK)
    pool = ConnectionPool(service.url)
    for headers, target in (
        ({"X-Fumidai-Consistency": "a\r\nX-Evil: 1"}, "/"),
        ({"X-A\nB": "1"}, "/"),
        ({}, "/a b"),
        ({}, "/ユーザー"),
    ):
        with pytest.raises(ValueError):
            await pool.request("GET", target, headers, None, 5)
    with pytest.raises(ValueError):
        await pool.request("HEAD", "/", {}, None, 5)
    assert service.requests == []


async def test_an_unreachable_service_fails_at_once() -> None:
    pool = ConnectionPool("http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(OSError):
        await pool.request("GET", "/", {}, None, 5)
