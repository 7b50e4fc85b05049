"""Files the tests upload: EICAR, a password-protected zip, a too deeply nested one, and
large generated streams."""

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import AsyncIterator

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
"""The antivirus test file: every scanner reports it, it does nothing."""


def _crc_table_entry(n: int) -> int:
    c = n
    for _ in range(8):
        c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
    return c


_TABLE = [_crc_table_entry(n) for n in range(256)]


def _crc_byte(crc: int, byte: int) -> int:
    # One step of CRC-32 without the final inversion, as PKWARE's key schedule uses it.
    return (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]


class _ZipCrypto:
    """Traditional PKWARE ("ZipCrypto") encryption, APPNOTE.TXT section 6.1."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = _crc_byte(k0, byte)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = _crc_byte(k2, (k1 >> 24) & 0xFF)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = (self.keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def encrypted_zip(name: str, content: bytes, password: bytes) -> bytes:
    """A one-file zip archive, stored (not deflated), encrypted with ``password``."""
    crc = zlib.crc32(content)
    crypto = _ZipCrypto(password)
    header = bytes(range(11)) + bytes([crc >> 24 & 0xFF])
    body = crypto.encrypt(header + content)
    raw_name = name.encode()
    flags, method, when, day = 0x0001, 0, 0, 0x21
    local = (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            flags,
            method,
            when,
            day,
            crc,
            len(body),
            len(content),
            len(raw_name),
            0,
        )
        + raw_name
    )
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            flags,
            method,
            when,
            day,
            crc,
            len(body),
            len(content),
            len(raw_name),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + raw_name
    )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    return local + body + central + end


def pattern_block(seed: int, size: int = 1024 * 1024) -> bytes:
    """One MiB of incompressible-looking bytes, the same for the same seed."""
    blocks: list[bytes] = []
    digest = hashlib.sha256(seed.to_bytes(8, "big")).digest()
    while len(blocks) * 2048 < size:
        digest = hashlib.sha256(digest).digest()
        blocks.append(digest * 64)  # 2 KiB
    return b"".join(blocks)[:size]


async def generated(size: int, seed: int = 1) -> AsyncIterator[bytes]:
    """``size`` bytes, yielded a MiB at a time: a large file that is never held whole."""
    block = pattern_block(seed)
    sent = 0
    while sent < size:
        piece = block[: min(len(block), size - sent)]
        sent += len(piece)
        yield piece


def generated_sha256(size: int, seed: int = 1) -> str:
    block = pattern_block(seed)
    digest = hashlib.sha256()
    sent = 0
    while sent < size:
        piece = block[: min(len(block), size - sent)]
        digest.update(piece)
        sent += len(piece)
    return digest.hexdigest()


def nested_zip(depth: int) -> bytes:
    """A small file inside ``depth`` zips, one in another: deeper than clamd's MaxRecursion
    (17 by default) it is reported as ``Heuristics.Limits.Exceeded.MaxRecursion``."""
    data, name = b"hello", "a.txt"
    for _ in range(depth):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, data)
        data, name = buffer.getvalue(), "in.zip"
    return data
