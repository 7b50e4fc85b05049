"""「ファイル共有」 in a real browser (manual 3.9; SPEC F1, F3, F5, F8): an admin's upload to a
user with its progress, the ダウンロード tab's verdicts and links, 承認 with its final
confirmation, a second admin's 409, what the browser refuses before sending, and axe."""

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Locator, Page, Request, expect

from services.fileshare.messages import MESSAGES
from tests.gateway_support import Admin, post_user_share, user_ready_to_share
from tests.ui.admin_share_walk import admin_share_screens
from tests.ui.browser import axe_violations, new_context, unlabelled_fields
from tests.ui.console_suite import Console, adopt_session
from tests.ui.data import user_body
from tests.ui.walk import settle

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


async def create_user_with_secrets(admin: Admin, name: str, n: int, file_share: str) -> Any:
    """The user as 「ユーザー登録完了」 shows it: the account and its secrets."""
    body = user_body(name, n, date.today(), file_share=file_share)
    created = await admin.send("POST", "/users", json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def share_as_user(console: Console, created: dict[str, Any], name: str) -> str:
    """A user's own share to the facility through /user-api (first sign-in, second password)."""
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as http:
        bearer = await user_ready_to_share(http, created)
        content = f"{name} の検査ログ\n".encode()
        uploaded = await post_user_share(http, bearer, name, content, f"{name}に関する調査")
        assert uploaded.status_code == 201, uploaded.text
        share_id: str = uploaded.json()["share_id"]
        return share_id


async def choose_recipient(page: Page, account: str) -> None:
    field = page.get_by_label("共有先ユーザー")
    await field.click()
    await field.fill(account.split("@", 1)[0])
    # antd's role=option nodes are an invisible list for screen readers; the mouse clicks
    # the visible item.
    await page.locator(".ant-select-item-option").filter(has_text=account).click()


async def fill_upload(page: Page, account: str, files: list[Path], purpose: str) -> None:
    await page.goto("/shares/upload")
    await expect(page.get_by_role("tab", name="アップロード", selected=True)).to_be_visible()
    await choose_recipient(page, account)
    await page.locator("input[type=file]").set_input_files([str(f) for f in files])
    await page.get_by_label("共有目的").fill(purpose)


def field_error(page: Page, message: str) -> Locator:
    """A message beside its field (the notes under the form repeat some of the words)."""
    return page.locator(".ant-form-item-explain-error").filter(has_text=message)


def share_row(page: Page, file_name: str) -> Locator:
    return page.get_by_role("row").filter(has_text=file_name)


async def test_an_admin_uploads_to_a_user_with_progress_and_downloads_the_clean_file_F8(
    signed_in: Page, admin: Admin, tmp_path: Path
) -> None:
    page = signed_in
    user = await create_user_with_secrets(admin, "share-recipient", 1, "always")
    content = bytes(range(256)) * 4096 * 3  # 3 MiB: long enough to watch its progress
    sample = tmp_path / "電子カルテログ_20250520.txt"
    sample.write_bytes(content)
    await fill_upload(page, user["account"], [sample], "AMO-XXXXに関する調査のためのログ")

    # A slow line (about 1 MB/s up) so the progress bar has time to show.
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 1 << 20},
    )
    await page.get_by_role("button", name="アップロード", exact=True).click()
    progress = page.get_by_role("progressbar", name="アップロードの進行状況")
    await expect(progress).to_be_visible()
    await expect(
        page.get_by_role("status").filter(has_text="アップロードしました。")
    ).to_be_visible(timeout=30_000)
    await expect(progress).to_have_count(0)
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    await expect(page.get_by_text(f"{sample.name}（3.00 MB）: 脅威なし")).to_be_visible()

    await page.get_by_role("tab", name="ダウンロード").click()
    await expect(page).to_have_url("/shares/download")
    row = share_row(page, sample.name)
    await expect(row.get_by_role("cell", name="脅威なし")).to_be_visible()
    await expect(row).to_contain_text(user["account"])
    link = row.get_by_role("button", name=sample.name)
    async with page.expect_download() as info:
        await link.click()
    downloaded = await info.value
    assert downloaded.suggested_filename == sample.name
    saved = await downloaded.path()
    assert await asyncio.to_thread(saved.read_bytes) == content


async def test_an_infected_upload_shows_threat_and_no_link_F3(
    signed_in: Page, admin: Admin, tmp_path: Path
) -> None:
    page = signed_in
    user = await create_user_with_secrets(admin, "share-eicar", 2, "always")
    sample = tmp_path / "eicar-sample.com"
    sample.write_bytes(EICAR)
    await fill_upload(page, user["account"], [sample], "ウイルス検査の確認")
    await page.get_by_role("button", name="アップロード", exact=True).click()
    await expect(page.get_by_text(f"{sample.name}（68 B）: 脅威あり")).to_be_visible(timeout=30_000)

    await page.goto("/shares/download")
    row = share_row(page, sample.name)
    await expect(row.get_by_role("cell", name="脅威あり")).to_be_visible()
    await expect(row.get_by_text(sample.name, exact=True)).to_be_visible()
    await expect(row.get_by_role("button", name=sample.name)).to_have_count(0)


async def test_the_browser_refuses_six_files_and_an_empty_purpose_before_sending_F1(
    signed_in: Page, admin: Admin, tmp_path: Path
) -> None:
    page = signed_in
    user = await create_user_with_secrets(admin, "share-refused", 3, "always")
    files = []
    for n in range(6):
        files.append(tmp_path / f"file{n}.txt")
        files[-1].write_text(f"file {n}")
    sent: list[Request] = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" else None)

    await fill_upload(page, user["account"], files, "")
    await page.get_by_role("button", name="アップロード", exact=True).click()
    await expect(
        page.get_by_text("一度にアップロードできるファイルは最大5つです。")
    ).to_be_visible()
    await expect(page.get_by_text("共有目的を入力してください。")).to_be_visible()
    await page.get_by_label("共有目的").fill("あ" * 201)
    await page.get_by_role("button", name="アップロード", exact=True).click()
    await expect(field_error(page, "共有目的は200文字以内で入力してください。")).to_be_visible()
    assert not sent, [r.url for r in sent]


async def approvals_row(page: Page, file_name: str) -> Locator:
    await page.goto("/shares/approvals")
    await expect(page.get_by_role("tab", name="承認", selected=True)).to_be_visible()
    row = share_row(page, file_name)
    await expect(row).to_be_visible()
    return row


async def test_approve_is_final_and_a_second_admin_sees_the_servers_message_F5(
    signed_in: Page, browser: Browser, console: Console, admin: Admin
) -> None:
    page = signed_in
    user = await create_user_with_secrets(admin, "share-approval", 4, "approval")
    name = "電子カルテログ_承認待ち.txt"
    await share_as_user(console, user, name)

    # A second admin's browser (the same admin's session in another profile) opens the tab too.
    other = await new_context(browser, console.url)
    try:
        await adopt_session(other, console.url, admin)
        second = await other.new_page()
        second_row = await approvals_row(second, name)

        row = await approvals_row(page, name)
        await expect(row).to_contain_text("院外")
        await row.get_by_role("button", name="承認", exact=True).click()
        confirm = page.get_by_role("dialog", name="承認の確認")
        await expect(confirm).to_contain_text("承認ステータスを変更することはできません")
        await confirm.get_by_role("button", name="承認", exact=True).click()
        await expect(page.get_by_text("承認しました。")).to_be_visible()
        await expect(share_row(page, name)).to_have_count(0)

        await second_row.get_by_role("button", name="承認", exact=True).click()
        dialog = second.get_by_role("dialog", name="承認の確認")
        await dialog.get_by_role("button", name="承認", exact=True).click()
        await expect(second.get_by_text(MESSAGES["share_already_decided"])).to_be_visible()
        await expect(share_row(second, name)).to_have_count(0)
    finally:
        await other.close()

    await page.goto("/shares/download")
    row = share_row(page, name)
    await expect(row.get_by_role("cell", name="承認", exact=True)).to_be_visible()
    await expect(row.get_by_role("button", name=name)).to_be_visible()


async def test_the_three_tabs_and_the_dialogs_pass_axe(
    browser: Browser, console: Console, admin: Admin
) -> None:
    user = await create_user_with_secrets(admin, "share-axe", 5, "approval")
    name = "axe-sample.txt"
    await share_as_user(console, user, name)
    context = await new_context(browser, console.url, bypass_csp=True)
    found: dict[str, Any] = {}

    async def scan(page: Page, stop: str) -> None:
        await settle(page)
        violations = await axe_violations(page)
        unlabelled = await unlabelled_fields(page)
        if violations or unlabelled:
            found[stop] = {"axe": violations, "unlabelled": unlabelled}

    try:
        await adopt_session(context, console.url, admin)
        page = await context.new_page()
        await page.goto("/shares/upload")
        await page.get_by_role("button", name="アップロード", exact=True).click()
        await expect(field_error(page, "共有目的を入力してください。")).to_be_visible()
        await scan(page, "upload refused")
        await page.get_by_label("共有先ユーザー").click()
        await expect(page.locator(".ant-select-item-option").first).to_be_visible()
        await scan(page, "recipient search")
        await page.keyboard.press("Escape")
        # The walk's stops: アップロード filled in, ダウンロード with its row, 承認.
        await admin_share_screens(page, lambda stop: scan(page, stop), recipient="share-axe")
        row = await approvals_row(page, name)
        for button, title in (("承認", "承認の確認"), ("否認", "否認の確認")):
            await row.get_by_role("button", name=button, exact=True).click()
            dialog = page.get_by_role("dialog", name=title)
            await expect(dialog).to_be_visible()
            await scan(page, title)
            await dialog.get_by_role("button", name="キャンセル").click()
            await expect(dialog).to_have_count(0)
    finally:
        await context.close()
    assert not found, found
