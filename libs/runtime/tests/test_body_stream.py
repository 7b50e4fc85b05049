"""read_ahead: the same bytes, in larger pieces, read ahead; failures where they were."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from libs.runtime.body_stream import read_ahead


async def chunks(count: int, size: int, fail_after: int | None = None) -> AsyncIterator[bytes]:
    for n in range(count):
        if fail_after is not None and n == fail_after:
            raise ValueError("the client went away")
        yield bytes([n % 256]) * size
        await asyncio.sleep(0)


async def test_the_same_bytes_in_pieces_of_about_the_size_asked() -> None:
    pieces = [p async for p in read_ahead(chunks(100, 1000), piece_bytes=10_000, ahead=2)]
    assert b"".join(pieces) == b"".join([bytes([n]) * 1000 for n in range(100)])
    assert [len(p) for p in pieces] == [10_000] * 10


async def test_a_last_short_piece_and_an_empty_body() -> None:
    pieces = [p async for p in read_ahead(chunks(3, 700), piece_bytes=1000)]
    assert [len(p) for p in pieces] == [1400, 700]
    assert [p async for p in read_ahead(chunks(0, 1))] == []


async def test_it_reads_ahead_of_a_slow_consumer_but_no_further_than_asked() -> None:
    read = 0

    async def counted() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(50):
            read += 1
            yield b"x" * 100
            await asyncio.sleep(0)

    stream = read_ahead(counted(), piece_bytes=100, ahead=3)
    assert await anext(stream) == b"x" * 100
    await asyncio.sleep(0.05)  # the consumer is busy elsewhere; the reader goes on
    assert 3 <= read <= 6  # one handed over, three queued, one waiting to be
    await stream.aclose()


async def test_a_failure_of_the_body_is_raised_to_the_consumer_after_what_came_before() -> None:
    received = []
    with pytest.raises(ValueError, match="went away"):
        async for piece in read_ahead(chunks(10, 100, fail_after=5), piece_bytes=100):
            received.append(piece)
    assert len(received) == 5


async def test_stopping_early_stops_the_reading() -> None:
    read = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal read
        while True:
            read += 1
            yield b"y" * 10
            await asyncio.sleep(0)

    stream = read_ahead(endless(), piece_bytes=10, ahead=2)
    await anext(stream)
    await stream.aclose()
    stopped_at = read
    await asyncio.sleep(0.02)
    assert read == stopped_at
