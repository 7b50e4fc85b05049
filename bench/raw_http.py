"""A load generator's HTTP/1.1 client: one keep-alive connection on asyncio streams.

httpx costs the load generator about a millisecond of CPU a request; on a 2-core machine
that shares the cores with the services measured, the client would be what is measured.
This one writes the request line and headers by hand and reads only what it needs
(status and a Content-Length body: the services answer so).
"""

import asyncio
import contextlib
from urllib.parse import urlencode, urlsplit


class RawConnection:
    """One keep-alive HTTP/1.1 connection: Content-Length answers only."""

    def __init__(self, url: str, token: str | None, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        fixed = dict(headers or {})
        if token:
            fixed["Authorization"] = f"Bearer {token}"
        self._headers = "".join(f"{name}: {value}\r\n" for name, value in fixed.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self._host, self._port)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST a JSON body; the status and the body of the answer."""
        return await self._request(
            f"POST {path} HTTP/1.1\r\nHost: {self._host}\r\n{self._headers}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n",
            body,
        )

    async def get(self, path: str, params: dict[str, object] | None = None) -> tuple[int, bytes]:
        """GET with a query string; the status and the body of the answer."""
        target = f"{path}?{urlencode(params)}" if params else path
        return await self._request(
            f"GET {target} HTTP/1.1\r\nHost: {self._host}\r\n{self._headers}\r\n", b""
        )

    async def _request(self, head: str, body: bytes) -> tuple[int, bytes]:
        assert self._reader is not None and self._writer is not None
        self._writer.write(head.encode() + body)
        # The whole head at once: a read per header line cost the generator a fifth of
        # its CPU on answers with a dozen headers (the gateway's security headers).
        answer = (await self._reader.readuntil(b"\r\n\r\n")).lower()
        at = answer.find(b"\r\ncontent-length:")
        length = int(answer[at + 17 : answer.index(b"\r\n", at + 17)]) if at >= 0 else 0
        return int(answer[9:12]), await self._reader.readexactly(length)
