"""Keep-alive HTTP/1.1 connections from the gateway to one service, for answers read whole.

Nearly every admin API request is relayed as one such call (the user list, every form,
every command). Through aiohttp's client each call cost the gateway about a third of its
CPU (profiled under 50 admins listing users: building the request and its URL, the
connector, timeout handles, the response object), more than the session, the internal
token and the answer's relay together. This does what those calls need and no more: the
request is written in one piece, the answer is parsed by httptools (llhttp, the parser
uvicorn serves with) and read whole, and the connection goes back to the pool.

Streams — file uploads and downloads, CSV, the agents' long polls — still go through
aiohttp (``Upstreams.open``), which reads and writes bodies chunk by chunk.
"""

import asyncio
import ssl
import time
from collections.abc import Mapping
from typing import cast
from urllib.parse import urlsplit

import httptools

IDLE_S = 2.0
"""An idle connection is reused for this long, then closed. uvicorn (every service) closes
a keep-alive connection after 5 s idle; a request written into a connection the service
is closing at that moment would be lost."""

IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "OPTIONS"})
"""Methods sent again, once, on a fresh connection when a reused one turned out closed
before any byte of the answer came (RFC 9110 §9.2.2)."""


class UpstreamClosed(ConnectionError):
    """The service closed the connection before the answer was complete."""


class _Connection(asyncio.Protocol):
    """One connection: one exchange at a time."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._answered: asyncio.Future[None] | None = None
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self.closed = False
        self.keep_alive = False
        self.heard = False
        """Any byte of the current answer has come."""
        self.idle_since = 0.0

    async def exchange(self, request: bytes, deadline: float) -> tuple[int, dict[str, str], bytes]:
        """Write ``request``; the answer's status, headers (lower-case names; a repeated
        header keeps its last value) and body. ``TimeoutError`` at ``deadline`` (the
        loop's clock): one timer, cheaper than a timeout scope on every call."""
        assert self._transport is not None
        self._headers, self._body, self.heard, self.keep_alive = {}, [], False, False
        loop = asyncio.get_running_loop()
        self._answered = loop.create_future()
        late = loop.call_at(deadline, self._fail, TimeoutError("no answer in time"))
        try:
            self._transport.write(request)
            await self._answered
        finally:
            late.cancel()
        return self._parser.get_status_code(), self._headers, b"".join(self._body)

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport's subclasses, but write alike.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.heard = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(error)
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or UpstreamClosed("the service closed the connection"))

    def _fail(self, error: Exception) -> None:
        if self._answered is not None and not self._answered.done():
            self._answered.set_exception(error)

    # httptools' callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self._parser.should_keep_alive()
        if self._answered is not None and not self._answered.done():
            self._answered.set_result(None)


class ConnectionPool:
    """Keep-alive connections to the service at ``url``, opened as calls need them (no
    cap, like the streams' client: agents' polls must never queue decisions)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._tls = parts.scheme == "https"
        self._port = parts.port or (443 if self._tls else 80)
        self._authority = parts.netloc
        self._idle: list[_Connection] = []
        self._ssl = ssl.create_default_context() if self._tls else None

    async def request(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: float,
    ) -> tuple[int, dict[str, str], bytes]:
        """One call: status, headers and body of the answer.

        ``timeout`` bounds the whole exchange, the connection included. Raises
        ``OSError`` (``UpstreamClosed`` among them), ``TimeoutError`` or
        ``httptools.HttpParserError``; the connection is then closed, never reused.
        """
        request = _encode(method, target, self._authority, headers, body)
        deadline = asyncio.get_running_loop().time() + timeout
        connection = self._reusable()
        if connection is not None:
            try:
                return await self._exchange(connection, request, deadline)
            except ConnectionError:
                # Closed by the service before it read the request; otherwise it would
                # have been heard from, and no retry is safe.
                if connection.heard or method not in IDEMPOTENT:
                    raise
        async with asyncio.timeout_at(deadline):
            connection = await self._open()
        return await self._exchange(connection, request, deadline)

    async def _exchange(
        self, connection: _Connection, request: bytes, deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            answer = await connection.exchange(request, deadline)
        except BaseException:
            connection.close()
            raise
        if connection.keep_alive and not connection.closed:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        return answer

    def _reusable(self) -> _Connection | None:
        """The most recently used idle connection still open and fresh; staler ones close."""
        oldest = time.monotonic() - IDLE_S
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and connection.idle_since >= oldest:
                return connection
            connection.close()
        return None

    async def _open(self) -> _Connection:
        _, connection = await asyncio.get_running_loop().create_connection(
            _Connection, self._host, self._port, ssl=self._ssl
        )
        return connection

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


def _encode(
    method: str, target: str, authority: str, headers: Mapping[str, str], body: bytes | None
) -> bytes:
    """The request as bytes. A target, name or value that could end its line is refused:
    values come from clients (the consistency token), and one must never become two
    headers. HEAD is refused: its answer announces a body that never comes."""
    if method == "HEAD" or not target.isascii() or any(c in target for c in " \r\n\x00"):
        raise ValueError(f"cannot send {method} {target!r}")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {authority}"]
    for name, value in headers.items():
        if any(c in name or c in value for c in "\r\n\x00"):
            raise ValueError(f"header {name!r} holds a line break")
        lines.append(f"{name}: {value}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if body else head
