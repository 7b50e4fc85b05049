"""CSV files as an admin makes them in Excel (SPEC U6), and reading the files the console saves."""

import csv
import io
from pathlib import Path

HEADER = [
    "アカウント",
    "姓",
    "名",
    "メールアドレス",
    "有効開始日",
    "有効終了日",
    "MACアドレス",
    "接続端末",
    "開始時間",
    "終了時間",
    "ファイル共有",
    "認証連携先",
]


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    """The header and ``rows``, CRLF as Excel writes them, in ``encoding`` (cp932, utf-8-sig)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def read_csv(path: Path) -> list[dict[str, str]]:
    """A saved CSV as rows of header → cell; UTF-8 with its BOM, as the exports are written."""
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
