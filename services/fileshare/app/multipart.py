"""An upload's multipart/form-data body, parsed as it streams in (never held whole).

``multipart``'s push parser (the one Litestar itself depends on) turns body chunks into
part headers, body pieces and part ends; this module turns those into the few events an
upload needs: the manifest (a small text part, held), then each file's start, bytes and end.
"""

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

MAX_MANIFEST_BYTES = 64 * 1024
"""A manifest names at most five files and a 200-character purpose: far below this."""


class MalformedUpload(Exception):
    """The body is not the multipart/form-data an upload must be."""


@dataclass(frozen=True)
class ManifestPart:
    raw: bytes


@dataclass(frozen=True)
class FileStart:
    filename: str | None


@dataclass(frozen=True)
class FileEnd:
    pass


UploadEvent = ManifestPart | FileStart | bytes | FileEnd


def boundary_of(content_type: str) -> str:
    """The boundary of a multipart/form-data content type; MalformedUpload otherwise."""
    kind, options = parse_options_header(content_type or "")
    boundary = options.get("boundary")
    if kind != "multipart/form-data" or not boundary:
        raise MalformedUpload("not multipart/form-data")
    return str(boundary)


async def upload_events(body: AsyncIterable[bytes], boundary: str) -> AsyncIterator[UploadEvent]:
    """Yield a ``ManifestPart`` for the part named ``manifest``, and for every part with a
    file name a ``FileStart``, its bytes (as they arrive) and a ``FileEnd``."""
    parser = PushMultipartParser(boundary, max_header_size=8192, max_header_count=8)
    segment: MultipartSegment | None = None
    manifest: bytearray | None = None
    try:
        async for chunk in body:
            if not chunk:
                continue
            for event in parser.parse(chunk):
                if isinstance(event, MultipartSegment):
                    segment = event
                    if event.filename is not None:
                        yield FileStart(event.filename)
                    elif event.name == "manifest":
                        manifest = bytearray()
                    else:
                        raise MalformedUpload(f"unexpected part {event.name!r}")
                elif event is None:
                    if segment is not None and segment.filename is not None:
                        yield FileEnd()
                    elif manifest is not None:
                        yield ManifestPart(bytes(manifest))
                        manifest = None
                    segment = None
                elif manifest is not None:
                    manifest += event
                    if len(manifest) > MAX_MANIFEST_BYTES:
                        raise MalformedUpload("manifest too large")
                else:
                    yield event
        parser.close(check_complete=True)
    except MultipartError as error:
        raise MalformedUpload(str(error)) from error
