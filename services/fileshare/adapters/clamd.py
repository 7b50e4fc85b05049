"""ClamAV's clamd over TCP or a Unix socket: INSTREAM, fed chunk by chunk (SPEC F3).

clamd must run with ``AlertEncryptedArchive yes`` (and ``AlertExceedsMax yes``): it then
reports a password-protected archive as ``Heuristics.Encrypted.*`` and a file past its
limits as ``Heuristics.Limits.Exceeded*``; both mean the file could not be scanned and are
検査不可, never 脅威なし (an upload holding one is refused, SPEC F1). A clamd that cannot
be reached, or drops the connection, gives no verdict at all (``ScannerUnavailable``): the
file stays 検査待ち (fail closed).
"""

import asyncio
import contextlib
import struct
from dataclasses import dataclass

from services.fileshare.app.scanner import ScannerUnavailable, Verdict

_UNSCANNABLE_PREFIXES = ("Heuristics.Encrypted.", "Heuristics.Limits.Exceeded", "Heuristics.Broken")


def verdict_of(reply: str) -> Verdict:
    """Interpret clamd's INSTREAM reply (``stream: OK``, ``stream: <sig> FOUND``, ``... ERROR``)."""
    text = reply.strip().rstrip("\0").strip()
    body = text.split(": ", 1)[1] if text.startswith("stream:") else text
    if body == "OK":
        return Verdict("clean")
    if body.endswith(" FOUND"):
        signature = body.removesuffix(" FOUND").strip()
        if signature.startswith(_UNSCANNABLE_PREFIXES):
            return Verdict("unscannable", signature)
        return Verdict("infected", signature)
    if body.endswith(" ERROR"):
        # e.g. "INSTREAM size limit exceeded. ERROR": asking again gives the same answer.
        return Verdict("unscannable", body.removesuffix(" ERROR").strip()[:200])
    raise ScannerUnavailable(f"unexpected clamd reply: {text[:200]!r}")


@dataclass(frozen=True)
class ClamdAddress:
    host: str = "127.0.0.1"
    port: int = 3310
    socket: str = ""
    """A Unix socket path; when set it wins over host and port."""


class ScanSession:
    """One INSTREAM: ``feed`` bytes as they come, then ``finish`` for the verdict."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._timeout = timeout
        self.broken: ScannerUnavailable | None = None

    async def feed(self, chunk: bytes | bytearray | memoryview) -> None:
        """Send one chunk; a failure marks the session broken instead of raising, so an
        upload goes on and its file is simply left 検査待ち."""
        if self.broken is not None or not chunk:
            return
        try:
            self._writer.write(struct.pack("!I", len(chunk)))
            self._writer.write(chunk)
            await self._writer.drain()
        except (OSError, ConnectionError) as error:
            self.broken = ScannerUnavailable(repr(error))

    async def finish(self) -> Verdict:
        """End the stream and wait for clamd's verdict; ScannerUnavailable when there is none."""
        try:
            if self.broken is not None:
                raise self.broken
            try:
                self._writer.write(struct.pack("!I", 0))
                await self._writer.drain()
                async with asyncio.timeout(self._timeout):
                    reply = await self._reader.readuntil(b"\0")
            except (OSError, ConnectionError, TimeoutError, asyncio.IncompleteReadError) as error:
                raise ScannerUnavailable(repr(error)) from error
            return verdict_of(reply.decode("utf-8", errors="replace"))
        finally:
            await self.close()

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await self._writer.wait_closed()


class Clamd:
    """Opens INSTREAM sessions on one clamd."""

    def __init__(self, address: ClamdAddress, timeout: float = 300.0) -> None:
        self.address = address
        self._timeout = timeout

    async def session(self) -> ScanSession:
        """A new INSTREAM; ScannerUnavailable when clamd cannot be reached."""
        try:
            async with asyncio.timeout(5.0):
                if self.address.socket:
                    reader, writer = await asyncio.open_unix_connection(self.address.socket)
                else:
                    reader, writer = await asyncio.open_connection(
                        self.address.host, self.address.port
                    )
                writer.write(b"zINSTREAM\0")
                await writer.drain()
        except (OSError, ConnectionError, TimeoutError) as error:
            raise ScannerUnavailable(repr(error)) from error
        return ScanSession(reader, writer, self._timeout)

    async def ping(self) -> bool:
        """True when clamd answers PING."""
        try:
            async with asyncio.timeout(2.0):
                if self.address.socket:
                    reader, writer = await asyncio.open_unix_connection(self.address.socket)
                else:
                    reader, writer = await asyncio.open_connection(
                        self.address.host, self.address.port
                    )
                writer.write(b"zPING\0")
                await writer.drain()
                reply = await reader.readuntil(b"\0")
                writer.close()
                return reply.startswith(b"PONG")
        except (OSError, ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            return False
