"""``bench.ui``'s upload figure: one 99 MB file through the users' page 「ファイル共有」
(``/share/``), beside the same size through the user API by httpx.

99 MB is SPEC F1's limit as the service counts it (``MAX_TOTAL_BYTES``: 99 × 1024 × 1024 =
103,809,024 bytes, the largest upload allowed), and MB/s are those megabytes (MiB) per
second. The user is 常に許可, so the upload's answer comes once clamd has scanned every
byte (fileshare streams the body into the object store and clamd at once): the time is
upload and scan, as the user waits for it.
"""

import json
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page

from bench.fileshare import block, clamd_alone
from bench.ui_browser import (
    SESSION_COOKIE,
    mark_click,
    new_page,
    shown_since_click,
    since_click,
    watch_text,
)
from services.fileshare.adapters.clamd import ClamdAddress
from services.fileshare.contract import MAX_TOTAL_BYTES
from tests.gateway_support import Admin, eventually, walk_sign_in

SIZE = MAX_TOTAL_BYTES
BINARY_HEAD = b"\x00\x00\x00\x00"
"""What makes clamd take the file for binary data: it reads the first bytes to decide, and
our varied bytes pass for UTF-16 text about nine times in ten, which clamd scans in about
half the time of binary (measured with clamd's CPU time: ~1.2 s against ~2.5 s for 99 MB).
Real uploads (DICOM, PDF, archives) are binary: ``--upload-binary`` measures those."""
binary_upload = False


def content_block() -> bytes:
    """One MiB of fresh bytes, starting as binary data when ``binary_upload`` is set."""
    piece = block()
    return BINARY_HEAD + piece[len(BINARY_HEAD) :] if binary_upload else piece


MIB = 1024 * 1024
PURPOSE = "性能測定"
DONE = "アップロードしました。"
"""The start of what the page says once the server has taken the share."""
SHARES = "/user-api/v1/shares"


@dataclass
class Uploader:
    """A 常に許可 user signed in for 「ファイル共有」 with its second password given: the
    session the page and the API client both use."""

    http: httpx.AsyncClient
    csrf: str

    @property
    def cookie(self) -> str:
        return str(self.http.cookies[SESSION_COOKIE])


async def signed_in_uploader(admin: Admin, url: str) -> Uploader:
    today = date.today()
    body = {
        "name": "bench-upload",
        "family_name": "bench",
        "given_name": "upload",
        "email": "bench-upload@example.jp",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "macs": [],
        "terminals": [],
        "file_share": "always",
    }
    created = await admin.send("POST", "/users", json=body)
    assert created.status_code == 201, created.text
    user = created.json()
    http = httpx.AsyncClient(base_url=url, timeout=600)
    session = await walk_sign_in(
        http,
        "/user-api/v1/session",
        {
            "account": user["user"]["account"],
            "password": user["initial_password"],
            "app": "ファイル共有",
        },
        {},
        user["second_password"],
    )
    uploader = Uploader(http, session["csrf_token"])
    verified = await http.post(
        "/user-api/v1/second-password",
        json={"second_password": user["second_password"]},
        headers={"X-CSRF-Token": uploader.csrf},
    )
    assert verified.status_code == 200, verified.text

    async def known() -> bool:
        # fileshare learns of a new user from identity's events: a moment after its creation.
        answer = await post_share(uploader, "known.txt", b"ok\n")
        if answer.status_code == 404 and answer.json()["code"] == "user_not_found":
            return False
        assert answer.status_code == 201, answer.text
        return True

    assert await eventually(known, timeout=30), "fileshare never learnt of the user"
    return uploader


async def post_share(uploader: Uploader, name: str, content: Any) -> httpx.Response:
    """The upload as the page sends it: the manifest, then the file, one multipart request."""
    manifest = {"purpose": PURPOSE, "files": [{"name": name, "size": size_of(content)}]}
    return await uploader.http.post(
        SHARES,
        headers={"X-CSRF-Token": uploader.csrf},
        files=[
            ("manifest", (None, json.dumps(manifest, ensure_ascii=False), "application/json")),
            ("files", (name, content, "application/octet-stream")),
        ],
    )


def size_of(content: Any) -> int:
    return len(content) if isinstance(content, bytes) else Path(content.name).stat().st_size


def write_file(path: Path) -> Path:
    """``SIZE`` bytes never seen by clamd (it caches the verdicts of files it has seen)."""
    piece = content_block()
    with path.open("wb") as out:
        for _ in range(SIZE // len(piece)):
            out.write(piece)
        out.write(piece[: SIZE % len(piece)])
    return path


async def upload_on_page(page: Page, path: Path) -> tuple[float, float]:
    """The file chosen, 共有目的 typed; from the click on アップロード until the page says it
    is done, painted: MiB/s timed in the page, and as the test driver saw it."""
    await page.locator("input[type=file]").set_input_files(path)
    await page.get_by_text(path.name).wait_for()
    await page.get_by_label("共有目的").fill(PURPOSE)
    button = page.get_by_role("button", name="アップロード", exact=True)
    await watch_text(page, DONE)
    await mark_click(button)
    await button.click()
    await page.get_by_text(DONE).wait_for(timeout=600_000)
    observed = await since_click(page) / 1000
    seconds = await shown_since_click(page) / 1000
    return SIZE / MIB / seconds, SIZE / MIB / observed


async def upload_by_api(uploader: Uploader, path: Path) -> float:
    """The same size through the user API, streamed from the file; MiB/s."""
    with path.open("rb") as content:
        started = time.perf_counter()
        answer = await post_share(uploader, path.name, content)
        seconds = time.perf_counter() - started
    assert answer.status_code == 201, answer.text
    assert answer.json()["state"] == "available", answer.json()["state"]
    return SIZE / MIB / seconds


async def clamd_rate(clamd: ClamdAddress) -> float:
    """The same size of fresh bytes sent straight to clamd and scanned: the raw limit of an
    upload whose answer waits for its scan (F1, F3); MiB/s."""
    return SIZE / MIB / await clamd_alone(clamd, content_block(), SIZE)


async def uploads(
    browser: Browser, url: str, uploader: Uploader, folder: Path, rounds: int, clamd: ClamdAddress
) -> tuple[list[float], list[float], list[float], list[float]]:
    """``rounds`` uploads through the page (timed in the page, and as the test driver saw
    them), as many through the API and as many scans by
    clamd alone, in turn, each of fresh bytes, after one round not counted; MiB/s of each,
    ascending."""
    page = await new_page(browser, url, uploader.cookie)
    on_page: list[float] = []
    observed: list[float] = []
    by_api: list[float] = []
    alone: list[float] = []
    try:
        await page.goto(f"{url}/share/")
        await page.get_by_role("heading", name="共有したファイル").wait_for()
        for n in range(rounds + 1):
            done = page.get_by_text(DONE)
            await done.wait_for(state="hidden", timeout=30_000)  # the last round's notice
            path = write_file(folder / f"bench-page-{n}.bin")
            try:
                rate, seen = await upload_on_page(page, path)
                on_page.append(rate)
                observed.append(seen)
            finally:
                path.unlink()
            path = write_file(folder / f"bench-api-{n}.bin")
            try:
                by_api.append(await upload_by_api(uploader, path))
            finally:
                path.unlink()
            alone.append(await clamd_rate(clamd))
    finally:
        await page.context.close()
    # The first round warms clamd, fileshare's object store and the page up, as the first
    # run of every other figure does: not counted.
    return sorted(on_page[1:]), sorted(observed[1:]), sorted(by_api[1:]), sorted(alone[1:])
