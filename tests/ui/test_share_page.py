"""The users' page 「ファイル共有」 at /share/ in a real browser (SPEC F1, F3, F4, F7; L1–L3):
a user's first sign-in, the second password, an upload with its progress, the share's scan
and approval as an admin decides it, a file an admin shared downloaded with its bytes, and
axe on each of the page's screens."""

import hashlib
import json
import re
from datetime import date, timedelta
from typing import Any

import asyncpg
from playwright.async_api import Browser, BrowserContext, FilePayload, Locator, Page, expect

from services.gateway.adapters.session_cache import CHANNEL, token_key
from tests.gateway_support import NEW_PASSWORD, Admin, eventually
from tests.ui.browser import axe_violations, new_context, unlabelled_fields
from tests.ui.console_suite import SESSION_COOKIE, Console
from tests.ui.data import user_body
from tests.ui.sessions_db import age_session
from tests.ui.signin import Authenticator, enrol
from tests.ui.walk import settle

UPLOADED = b"0123456789abcdef" * 200_000  # 3.2 MB: long enough to show its progress
RECEIVED = "院内からの検査結果.txt".encode() + b"\n" + bytes(range(256)) * 40


async def create_user_with_secrets(admin: Admin, name: str, file_share: str) -> Any:
    """The user as 「ユーザー登録完了」 shows it: the account and its secrets."""
    body = user_body(name, 1, date.today(), file_share=file_share)
    created = await admin.send("POST", "/users", json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def share_to_user(admin: Admin, account: str, name: str, content: bytes) -> str:
    """An admin's upload to the user (F8), as the 「アップロード」 tab sends it."""
    manifest = {
        "purpose": "検査結果の送付",
        "files": [{"name": name, "size": len(content)}],
        "recipient": account,
    }
    parts = [
        ("manifest", (None, json.dumps(manifest, ensure_ascii=False), "application/json")),
        ("file", (name, content, "text/plain")),
    ]

    async def sent() -> object:
        # fileshare learns of a new user from identity's events: a moment after its creation.
        answer = await admin.send("POST", "/shares", files=parts)
        if answer.status_code == 404 and answer.json()["code"] == "user_not_found":
            return None
        assert answer.status_code == 201, answer.text
        return answer.json()["share_id"]

    share_id = await eventually(sent, timeout=15)
    assert isinstance(share_id, str)
    return share_id


async def scanned(page: Page, name: str) -> None:
    await settle(page)
    violations = await axe_violations(page)
    unlabelled = await unlabelled_fields(page)
    assert not violations and not unlabelled, (name, violations, unlabelled)


async def first_sign_in(
    page: Page, created: dict[str, Any], app: Authenticator, scan: bool = True
) -> None:
    """Account and password for 「ファイル共有」, the new password, the enrolment (L1, L2):
    a user's sign-in ends there; the page asks the second password itself (F7)."""
    await page.goto("/share/")
    await expect(page).to_have_url(re.compile(r"/share/signin"))
    await expect(page.get_by_role("heading", name="ファイル共有へのログイン")).to_be_visible()
    if scan:
        await scanned(page, "share signin")
    await page.get_by_label("アカウント").fill(created["user"]["account"])
    await page.get_by_label("パスワード", exact=True).fill(created["initial_password"])
    await page.get_by_role("button", name="サインイン").click()
    await expect(page.get_by_role("heading", name="パスワードの更新")).to_be_visible()
    if scan:
        await scanned(page, "share new password")
    await page.get_by_label("新しいパスワード").fill(NEW_PASSWORD)
    await page.get_by_label("パスワードの確認").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="サインイン").click()
    await enrol(page, app)


async def give_second_password(page: Page, second: str, scan: bool = True) -> None:
    """The page's own question (F7): the file-share calls need it in the session."""
    dialog = page.get_by_role("dialog", name="第二パスワードの入力")
    await expect(dialog).to_be_visible()
    if scan:
        await scanned(page, "share second password")
    await dialog.get_by_label("第二パスワード").fill(second)
    await dialog.get_by_role("button", name="確認").click()
    await expect(dialog).to_be_hidden()


def row_of(page: Page, section: str, text: str) -> Locator:
    card = page.locator(".ant-card").filter(has=page.get_by_role("heading", name=section))
    return card.get_by_role("row").filter(has_text=text)


async def test_a_user_signs_in_uploads_and_downloads(
    browser: Browser, console: Console, admin: Admin
) -> None:
    created = await create_user_with_secrets(admin, "share-page-user", "approval")
    account = created["user"]["account"]
    received_id = await share_to_user(admin, account, "検査結果.bin", RECEIVED)
    context = await new_context(browser, console.url, bypass_csp=True)
    page = await context.new_page()
    try:
        await first_sign_in(page, created, Authenticator())
        await expect(page.get_by_role("heading", name="ファイル共有", level=1)).to_be_visible()
        await give_second_password(page, created["second_password"])
        await expect(page.get_by_role("heading", name="共有したファイル")).to_be_visible()
        await expect(page.get_by_text("共有したファイルはありません。")).to_be_visible()
        await scanned(page, "share page")

        # Refused in the browser before a byte is sent: no purpose.
        chooser = page.locator("input[type=file]")
        await chooser.set_input_files(
            [FilePayload(name="調査ログ.txt", mimeType="text/plain", buffer=UPLOADED)]
        )
        await expect(page.get_by_text("調査ログ.txt")).to_be_visible()
        await page.get_by_role("button", name="アップロード", exact=True).click()
        await expect(
            page.get_by_role("alert").filter(has_text="共有目的を入力してください。")
        ).to_be_visible()

        # The upload, its progress watched from inside the page (Chromium sends 3 MB to a
        # local server faster than a locator polls).
        await page.evaluate(
            """() => {
              window.__progress = [];
              new MutationObserver(() => {
                for (const bar of document.querySelectorAll('[role=progressbar]'))
                  window.__progress.push(Number(bar.getAttribute('aria-valuenow')));
              }).observe(document.body, {subtree: true, childList: true, attributes: true});
            }"""
        )
        await page.get_by_label("共有目的").fill("AMO-0001に関する調査")
        await page.get_by_role("button", name="アップロード", exact=True).click()
        await expect(page.get_by_text("アップロードしました。", exact=False)).to_be_visible()
        progress: list[float] = await page.evaluate("window.__progress")
        assert progress, "no progress bar was shown"
        mine = row_of(page, "共有したファイル", "調査ログ.txt")
        await expect(mine).to_contain_text("AMO-0001に関する調査")
        await expect(mine).to_contain_text(re.compile("検査待ち|脅威なし"))
        await expect(mine).to_contain_text("脅威なし", timeout=30_000)
        await expect(mine).to_contain_text("承認待ち")

        # An admin approves (F5); the user's row says so after 更新.
        async def awaiting() -> object:
            items = (await admin.get("/shares/approvals")).json()["items"]
            return [s["share_id"] for s in items if s["owner_account"] == account]

        pending = await eventually(awaiting, timeout=30)
        assert isinstance(pending, list) and len(pending) == 1
        approved = await admin.send("POST", f"/shares/{pending[0]}/approve")
        assert approved.status_code == 200, approved.text
        await page.get_by_role("button", name="更新").click()
        await expect(mine.get_by_role("cell", name="承認", exact=True)).to_be_visible()

        # The admin's share to the user: downloaded from the page, the same bytes.
        link = page.get_by_role("button", name="検査結果.bin をダウンロード")
        await expect(link).to_be_visible(timeout=30_000)
        async with page.expect_download() as waiting:
            await link.click()
        saved = await (await waiting.value).path()
        assert saved.read_bytes() == RECEIVED
        assert received_id

        # ログアウト: back to the users' sign-in, saying so.
        await page.get_by_role("button", name="ログアウト").click()
        await expect(page).to_have_url(re.compile(r"/share/signin\?reason=signed-out"))
        await expect(page.get_by_text("ログアウトしました。")).to_be_visible()
    finally:
        await context.close()


async def age_second_password(database_url: str, token: str, age: timedelta) -> None:
    """Move the session's second password ``age`` into the past, as the clock would have."""
    token_hash = hashlib.sha256(token.encode()).digest()
    conn = await asyncpg.connect(database_url)
    try:
        status = await conn.execute(
            """UPDATE sessions SET second_password_at = second_password_at - $2::interval
               WHERE token_hash = $1""",
            token_hash,
            age,
        )
        assert status == "UPDATE 1", status
        await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, token_key(token_hash))
    finally:
        await conn.close()


async def test_refused_up_front_second_password_again_and_idle_expiry(
    context: BrowserContext, console: Console, admin: Admin
) -> None:
    """拒否 refuses the upload with the server's message (F4); the second password is asked
    again once 10 minutes old (F7); an idle session returns to the users' sign-in (L5)."""
    created = await create_user_with_secrets(admin, "share-page-denied", "deny")
    page = await context.new_page()
    # The watched profile of the fixture: the page's CSP kept, an uncaught error fails.
    await first_sign_in(page, created, Authenticator(), scan=False)
    await give_second_password(page, created["second_password"], scan=False)
    await expect(page.get_by_text("共有したファイルはありません。")).to_be_visible()
    # Dropped onto the area, as from the desktop.
    drop = await page.evaluate_handle(
        """() => {
          const data = new DataTransfer();
          data.items.add(new File(["memo"], "メモ.txt", {type: "text/plain"}));
          return data;
        }"""
    )
    area = page.get_by_role("button", name=re.compile("ドラッグ＆ドロップ"))
    await area.dispatch_event("dragover", {"dataTransfer": drop})
    await area.dispatch_event("drop", {"dataTransfer": drop})
    await expect(page.get_by_text("メモ.txt")).to_be_visible()
    await page.get_by_label("共有目的").fill("確認のため")
    await page.get_by_role("button", name="アップロード", exact=True).click()
    await expect(
        page.get_by_role("alert").filter(has_text="ファイル共有権限: 拒否")
    ).to_be_visible()

    database = console.suite.database_url("gateway")
    token = next(c["value"] for c in await context.cookies() if c["name"] == SESSION_COOKIE)
    await age_second_password(database, token, timedelta(minutes=11))
    await page.get_by_role("button", name="更新").click()
    await give_second_password(page, created["second_password"], scan=False)
    await expect(page.get_by_text("共有したファイルはありません。")).to_be_visible()

    await age_session(database, token, timedelta(minutes=31))
    await page.get_by_role("button", name="更新").click()
    await expect(page).to_have_url(re.compile(r"/share/signin\?reason=expired"))
    await expect(page.get_by_text("一定時間操作がなかったため")).to_be_visible()
    await expect(page.get_by_role("heading", name="ファイル共有へのログイン")).to_be_visible()


async def test_an_admins_session_is_sent_to_the_users_sign_in(signed_in: Page) -> None:
    """/share/ is for users only: an admin's session (403 on the user API) signs in anew."""
    await signed_in.goto("/share/")
    await expect(signed_in).to_have_url(re.compile(r"/share/signin"))
    await expect(signed_in.get_by_role("heading", name="ファイル共有へのログイン")).to_be_visible()
