"""The request bodies of routes that stream their body through instead of decoding it
(the CSV import, uploads): Litestar sees no body in their signatures, so they name it."""

from dataclasses import dataclass
from typing import Any

from litestar.openapi.spec import (
    Encoding,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)

from services.fileshare.contract import MAX_FILES, MAX_NAME, MAX_PURPOSE, MAX_TOTAL_BYTES
from services.identity.contract import CSV_MAX_BYTES_DEFAULT, CSV_MAX_ROWS_DEFAULT


def with_body(body: RequestBody) -> type[Operation]:
    """An operation class (Litestar's ``operation_class``) documenting ``body``."""

    @dataclass
    class WithBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return WithBody


CSV_IMPORT = RequestBody(
    required=True,
    description=(
        "The CSV file itself as the body (not multipart). Encoding UTF-8, with or without "
        "BOM, or CP932 (Shift_JIS, as Excel in Japan saves it), detected by the server. "
        "Header: アカウント,姓,名,メールアドレス,有効開始日,有効終了日,MACアドレス,接続端末,"
        "開始時間,終了時間,ファイル共有 and optionally 認証連携先 (SPEC U6). At most "
        f"{CSV_MAX_BYTES_DEFAULT:,} bytes and {CSV_MAX_ROWS_DEFAULT:,} rows unless the "
        "deployment set other limits: a larger file is 413 ``csv_too_large``; a file that "
        "cannot be read (encoding, header, rows) is 400 with its code."
    ),
    content={
        "text/csv": OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
        )
    },
)


def _manifest(recipient: bool) -> Schema:
    properties: dict[str, Any] = {
        "purpose": Schema(
            type=OpenAPIType.STRING,
            min_length=1,
            max_length=MAX_PURPOSE,
            description="「共有目的」: required, at most 200 characters.",
        ),
        "files": Schema(
            type=OpenAPIType.ARRAY,
            min_items=1,
            max_items=MAX_FILES,
            description=(
                "Each file that follows, in order: its name as shown and its exact size in "
                f"bytes; {MAX_TOTAL_BYTES:,} bytes (99 MB) together at most."
            ),
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["name", "size"],
                properties={
                    "name": Schema(type=OpenAPIType.STRING, min_length=1, max_length=MAX_NAME),
                    "size": Schema(type=OpenAPIType.INTEGER, minimum=0),
                },
            ),
        ),
    }
    if recipient:
        properties["recipient"] = Schema(
            type=OpenAPIType.STRING,
            description="The full account of the user the files are shared with (F8).",
        )
    return Schema(
        type=OpenAPIType.OBJECT,
        required=["purpose", "files", *(["recipient"] if recipient else [])],
        properties=properties,
        description="The first part: announces every file before its bytes (F1).",
    )


def share_upload(recipient: bool) -> RequestBody:
    """「アップロード」: ``multipart/form-data``, the ``manifest`` part first, then the files."""
    return RequestBody(
        required=True,
        description=(
            "``multipart/form-data``: first the part ``manifest`` (JSON), then one part per "
            "file announced, in the same order, each with a ``filename`` (the part's name is "
            "not read; ``files`` is usual). A file longer or shorter than announced, or an "
            "extra or missing one, refuses the whole upload (400/413); nothing is kept. So "
            "does a file clamd cannot scan (SPEC F1: password-protected, past its limits, "
            "broken): 400 ``file_unscannable``, the title naming the file and why (or how "
            "many), one ``errors[]`` entry per such file at ``files[i]`` with the reason as "
            "its code (``file_encrypted``, ``file_scan_limits_exceeded``, ``file_broken``, "
            "``file_unscannable``). A file clamd could not be asked about is kept 検査待ち "
            "and scanned later."
        ),
        content={
            "multipart/form-data": OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.OBJECT,
                    required=["manifest", "files"],
                    properties={
                        "manifest": _manifest(recipient),
                        "files": Schema(
                            type=OpenAPIType.ARRAY,
                            min_items=1,
                            max_items=MAX_FILES,
                            items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                        ),
                    },
                ),
                encoding={"manifest": Encoding(content_type="application/json")},
            )
        },
    )
