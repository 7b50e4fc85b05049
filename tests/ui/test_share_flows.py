"""A user's share through the users' page at /share/ as issue 14 tells it, in real browsers
on both sides (SPEC F3–F5, F7): approved by an admin on 承認 and downloaded back by the user
with the same bytes; EICAR shown 脅威あり with no link on both pages; 検査待ち, seen only
while clamd cannot answer (the session's own clamd paused), turning 脅威なし on its own; and
archives clamd cannot scan refused with each file's reason (F1)."""

import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import pytest
from playwright.async_api import Browser, FilePayload, Page, expect

from libs.testing.fileshare_fixtures import ClamdServer
from services.fileshare.tests.samples import encrypted_zip, nested_zip
from tests.gateway_support import Admin
from tests.ui.browser import new_context
from tests.ui.console_suite import Console
from tests.ui.data import user_body
from tests.ui.share_walk import CreatedUser, my_share, sign_in_to_share, upload_at_share

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CONTENT = "2025-05-20 09:31:59 処方オーダー送信 完了\n".encode() * 500 + bytes(range(256))


async def new_user(admin: Admin, name: str, n: int, file_share: str) -> CreatedUser:
    """The user and the secrets 「ユーザー登録完了」 shows once."""
    created = await admin.send(
        "POST", "/users", json=user_body(name, n, date.today(), file_share=file_share)
    )
    assert created.status_code == 201, created.text
    answer = created.json()
    return CreatedUser(
        answer["user"]["account"], answer["initial_password"], answer["second_password"]
    )


@asynccontextmanager
async def users_page(browser: Browser, console: Console, user: CreatedUser) -> AsyncIterator[Page]:
    """The user's own browser, signed in at /share/ with the second password given."""
    context = await new_context(browser, console.url)
    try:
        page = await context.new_page()
        await sign_in_to_share(page, user)
        await expect(page.get_by_text("共有したファイルはありません。")).to_be_visible()
        yield page
    finally:
        await context.close()


def sample(name: str, content: bytes) -> FilePayload:
    return FilePayload(name=name, mimeType="application/octet-stream", buffer=content)


async def test_approved_on_the_admins_page_then_downloaded_by_the_user_F4_F5_F7(
    browser: Browser, console: Console, admin: Admin, signed_in: Page
) -> None:
    user = await new_user(admin, "flow-approval", 1, "approval")
    name = "処方ログ_承認.txt"
    async with users_page(browser, console, user) as page:
        await upload_at_share(page, [sample(name, CONTENT)], "処方不具合の調査")
        mine = my_share(page, name)
        await expect(mine).to_contain_text("脅威なし", timeout=30_000)
        await expect(mine.get_by_role("cell", name="承認待ち", exact=True)).to_be_visible()
        link = mine.get_by_role("button", name=f"{name} をダウンロード")
        await expect(link).to_have_count(0)  # not before an admin's 承認 (F4)

        # The admin, in a browser of their own, approves it on 承認 (F5).
        await signed_in.goto("/shares/approvals")
        row = signed_in.get_by_role("row").filter(has_text=name)
        await row.get_by_role("button", name="承認", exact=True).click()
        confirm = signed_in.get_by_role("dialog", name="承認の確認")
        await confirm.get_by_role("button", name="承認", exact=True).click()
        await expect(signed_in.get_by_text("承認しました。")).to_be_visible()

        await page.get_by_role("button", name="更新").click()
        await expect(mine.get_by_role("cell", name="承認", exact=True)).to_be_visible()
        async with page.expect_download() as saving:
            await link.click()
        saved = await (await saving.value).path()
        assert saved.read_bytes() == CONTENT


async def test_eicar_through_the_users_page_is_a_threat_without_a_link_on_both_pages_F3(
    browser: Browser, console: Console, admin: Admin, signed_in: Page
) -> None:
    # 常に許可: a clean share would be a link at once, so only the verdict keeps it away.
    user = await new_user(admin, "flow-eicar", 2, "always")
    name = "eicar-sample.com"
    async with users_page(browser, console, user) as page:
        await upload_at_share(page, [sample(name, EICAR)], "ウイルス検査の確認")
        mine = my_share(page, name)
        await expect(mine.get_by_role("cell", name="脅威あり", exact=True)).to_be_visible()
        await expect(mine).to_contain_text(name)
        await expect(mine.get_by_role("button")).to_have_count(0)

    await signed_in.goto("/shares/download")
    row = signed_in.get_by_role("row").filter(has_text=name)
    await expect(row.get_by_role("cell", name="脅威あり", exact=True)).to_be_visible()
    await expect(row).to_contain_text(user.account)
    await expect(row.get_by_role("button", name=name)).to_have_count(0)


@asynccontextmanager
async def clamd_paused(clamd: ClamdServer) -> AsyncIterator[None]:
    """The session's clamd stopped (SIGSTOP) for the block and always resumed: the other
    tests of the session share it."""
    if clamd.pid is None:
        pytest.skip("clamd is not this session's own (FUMIDAI_TEST_CLAMD_HOST): not paused")
    os.kill(clamd.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(clamd.pid, signal.SIGCONT)


async def test_a_file_waits_in_scan_while_clamd_is_paused_then_turns_clean_F3(
    browser: Browser, console: Console, admin: Admin, clamd_server: ClamdServer
) -> None:
    """clamd stopped mid-session: its port still accepts (the kernel queues connections), so
    fileshare waits for a verdict until FUMIDAI_FILESHARE_CLAMD_TIMEOUT_S, then records the
    file 検査待ち (fail closed); once clamd runs again the retry loop scans it."""
    user = await new_user(admin, "flow-pending", 3, "always")
    name = "検査待ちのログ.txt"
    async with users_page(browser, console, user) as page:
        mine = my_share(page, name)
        link = mine.get_by_role("button", name=f"{name} をダウンロード")
        async with clamd_paused(clamd_server):
            await upload_at_share(page, [sample(name, CONTENT)], "検査待ちの確認")
            await expect(mine.get_by_role("cell", name="検査待ち", exact=True)).to_be_visible()
            await expect(link).to_have_count(0)
        # No reload and no 「更新」: the page reads the list again while a share is 検査待ち.
        await expect(mine.get_by_role("cell", name="脅威なし", exact=True)).to_be_visible(
            timeout=60_000
        )
        await expect(link).to_be_visible()
        async with page.expect_download() as saving:
            await link.click()
        assert (await (await saving.value).path()).read_bytes() == CONTENT


async def test_unscannable_archives_are_refused_on_the_users_page_with_each_reason_F1(
    browser: Browser, console: Console, admin: Admin
) -> None:
    user = await new_user(admin, "flow-unscannable", 4, "always")
    async with users_page(browser, console, user) as page:
        await page.locator("input[type=file]").set_input_files(
            [
                sample("設定.zip", encrypted_zip("設定.txt", b"password=1", b"secret")),
                sample("手順.txt", CONTENT),
                sample("ログ.zip", nested_zip(20)),
            ]
        )
        await page.get_by_label("共有目的").fill("設定ファイルの共有")
        await page.get_by_role("button", name="アップロード", exact=True).click()
        alert = page.get_by_role("alert").filter(
            has_text="ウイルス検査ができないファイルが2件あるため、アップロードできません。"
        )
        await expect(alert).to_be_visible(timeout=60_000)
        # Which files, and why: the server's field messages, listed under its title.
        await expect(alert.get_by_role("listitem")).to_have_text(
            [
                "「設定.zip」はパスワードで保護されているため、ウイルス検査ができず、"
                "アップロードできません。パスワードを解除してからアップロードしてください。",
                "「ログ.zip」はウイルス検査の上限(サイズ、ファイル数、圧縮の階層など)を"
                "超えるため、検査ができず、アップロードできません。",
            ]
        )
    # Refused, not stored as 検査不可: the admin's 「ダウンロード」 list has no share of theirs.
    shares = (await admin.get("/shares", params={"limit": 200})).json()["items"]
    assert [s for s in shares if s["owner_account"] == user.account] == []
