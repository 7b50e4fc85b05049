"""Every screen and dialog of the console, in the order an admin meets them (manual 2.0–3.4).

``walk`` drives one browser page from the first sign-in to 出力一覧 and calls ``stop`` at
each screen worth a look: test_accessibility scans each with axe-core, the screenshot
command (``python -m tests.ui.screens``) saves each as docs/screens/<nn>-<name>.png. The
facility needs users named ``operation-user01`` … (the demo data of ``./fumidai up``, or
``data.seed_manual_style``), so the screens show what an admin of the manual's facility sees.
"""

import re
from datetime import date, timedelta

from playwright.async_api import FilePayload, Page, expect

from libs.devservers.smtp import MailCatcher
from tests.gateway_support import NEW_PASSWORD
from tests.ui.admin_share_walk import admin_share_screens, allowed_recipient
from tests.ui.console_suite import FacilityAdmin
from tests.ui.csv_files import csv_bytes
from tests.ui.log_walk import log_screens
from tests.ui.recovery_walk import recovery_screens
from tests.ui.share_walk import CreatedUser, share_screens
from tests.ui.signin import (
    Authenticator,
    Stop,
    enter_code,
    enter_password,
    enter_second_password,
    first_sign_in,
)

SETTLED = """() => document.getAnimations().every(
    a => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)"""
"""No animation left to finish (spinners and progress bars loop for good)."""


async def settle(page: Page) -> None:
    """Wait for the page to be still: requests answered, dialogs and messages opened."""
    await page.wait_for_load_state("networkidle")
    await page.wait_for_function(SETTLED, polling=100, timeout=5_000)


async def walk(
    page: Page, admin: FacilityAdmin, app: Authenticator, stop: Stop, mail: MailCatcher
) -> None:
    """``mail``: where the suite's mail goes (the walk reads its recovery link there)."""
    await first_sign_in(page, admin, app, stop)
    created = await users_screens(page, stop)
    await bulk_screens(page, stop)
    await terminal_screens(page, stop)
    await log_screens(page, stop)
    await admin_share_screens(page, stop, allowed_recipient(admin.code))
    await facility_screen(page, stop)
    await sign_in_again(page, admin, app, stop)
    user_app = await share_screens(page, created, stop)
    await recovery_screens(page, created.account, user_app, stop, mail)


async def users_screens(page: Page, stop: Stop) -> CreatedUser:
    """ユーザー一覧, 新規 (errors, 確認, 登録完了), 編集 (stale), 削除 (manual 3.0–3.2)."""
    # Sorted by アカウント descending: the last users, 失効 in the demo data, come first.
    heading = page.get_by_role("main").get_by_role("columnheader", name="アカウント")
    await heading.click()
    await expect(heading).to_have_attribute("aria-sort", "descending")
    expired = page.get_by_role("main").get_by_role("cell").filter(has_text="失効")
    await expect(expired.first).to_be_visible()
    await settle(page)
    await stop("users")

    await page.get_by_role("button", name="新規").click()
    await expect(page.get_by_role("heading", name="ユーザーメンテナンス 新規")).to_be_visible()
    await stop("user-new")
    await page.get_by_role("button", name="登録").click()
    await expect(page.get_by_text("姓を入力してください。")).to_be_visible()
    await stop("user-new-errors")
    await page.get_by_label("アカウント", exact=True).fill("operation-user99")
    await page.get_by_label("姓").fill("山田")
    await page.get_by_label("名", exact=True).fill("太郎")
    await page.get_by_label("メールアドレス").fill("yamada.taro@example.jp")
    await page.get_by_role("button", name="登録").click()
    await expect(page.get_by_role("dialog", name="確認")).to_be_visible()
    await stop("user-new-confirm")
    await page.get_by_role("dialog", name="確認").get_by_role("button", name="OK").click()
    done = page.get_by_role("dialog", name="ユーザー登録完了")
    await expect(done).to_be_visible()
    await stop("user-created")
    account, initial, second = await done.locator(".user-secrets").all_inner_texts()
    await done.get_by_role("button", name="OK").click()

    await open_row_action(page, "operation-user01", "ユーザー編集")
    await expect(page.get_by_role("heading", name="ユーザーメンテナンス 編集")).to_be_visible()
    await stop("user-edit")
    await save_meanwhile(page)
    await page.get_by_label("名", exact=True).fill("user01")
    await page.get_by_role("button", name="登録").click()
    await page.get_by_role("dialog", name="確認").get_by_role("button", name="OK").click()
    stale = page.get_by_role("alert").filter(has_text="画面を再読み込みしてください")
    await expect(stale.get_by_role("button", name="再読み込み")).to_be_visible()
    # The message sits above the form, out of sight after a save from its foot.
    await stale.scroll_into_view_if_needed()
    await stop("user-edit-stale")
    await page.get_by_role("button", name="戻る").click()

    await open_row_action(page, "operation-user99", "ユーザー削除")
    await expect(page.get_by_role("dialog", name="注意")).to_be_visible()
    await stop("user-delete")
    await page.get_by_role("dialog", name="注意").get_by_role("button", name="キャンセル").click()
    return CreatedUser(account, initial, second)


async def open_row_action(page: Page, name: str, action: str) -> None:
    await page.goto(f"/users?account={name}")
    row = page.get_by_role("main").get_by_role("row").filter(has_text=f"-{name}@")
    await row.get_by_role("button", name=action).click()


async def save_meanwhile(page: Page) -> None:
    """Another admin saves the user shown in the form (its e-mail), through the same API."""
    session = await (await page.request.get("/api/v1/session")).json()
    user_id = page.url.rstrip("/").split("/")[-2]
    path = f"/api/v1/facilities/{session['facility']}/users/{user_id}"
    user = await (await page.request.get(path)).json()
    body = {
        key: user[key]
        for key in ("family_name", "given_name", "email", "valid_from", "valid_until", "macs")
    }
    body.update(
        terminals=[t["terminal_id"] for t in user["terminals"]],
        hours=user["hours"],
        file_share=user["file_share"],
        federation_targets=user["federation_targets"],
        version=user["version"],
        email="changed-meanwhile@example.jp",
    )
    saved = await page.request.put(path, data=body, headers={"X-CSRF-Token": session["csrf_token"]})
    assert saved.ok, await saved.text()


async def bulk_screens(page: Page, stop: Stop) -> None:
    """有効終了日一括登録, 全件CSV出力, 一括登録, 出力一覧 (manual 3.3, 3.4)."""
    await page.goto("/users")
    for n in (2, 3):
        row = page.get_by_role("main").get_by_role("row").filter(has_text=f"-operation-user0{n}@")
        await row.get_by_role("checkbox").check()
    await page.get_by_role("button", name="有効終了日一括登録").click()
    dialog = page.get_by_role("dialog", name="有効終了日一括登録")
    field = dialog.get_by_label("有効終了日")
    await field.click()
    await field.fill((date.today() + timedelta(days=365)).strftime("%Y/%m/%d"))
    await field.press("Enter")
    await stop("users-end-date")
    await dialog.get_by_role("button", name="OK").click()
    await expect(dialog.get_by_role("status")).to_be_visible()
    await stop("users-end-date-results")
    await dialog.get_by_role("button", name="閉じる").last.click()

    await page.get_by_role("button", name="全件CSV出力").click()
    await expect(page.get_by_role("dialog", name="全件CSV出力")).to_be_visible()
    await stop("users-export-confirm")
    await page.get_by_role("dialog", name="全件CSV出力").get_by_role("button", name="OK").click()
    queued = page.get_by_role("dialog", name="全件CSV出力を受け付けました。")
    await expect(queued).to_be_visible()
    await stop("users-export-queued")
    await queued.get_by_role("button", name="閉じる").click()

    await import_screens(page, stop)
    await page.get_by_role("navigation").get_by_text("出力一覧").click()
    await expect(page.get_by_role("heading", name="出力一覧")).to_be_visible()
    await expect(page.get_by_role("main").get_by_text("完了").first).to_be_visible()
    await stop("jobs")


async def import_screens(page: Page, stop: Stop) -> None:
    today = date.today()
    rows = [
        ["operation-user20", "佐藤", "花子", "operation-user20@example.jp",
         today.strftime("%Y/%m/%d"), (today + timedelta(days=365)).strftime("%Y/%m/%d"),
         "00-11-22-33-44-55", "", "8:30", "17:30", "承認後に許可", ""],
        ["operation-user21", "", "次郎", "jiro@", "2026/13/40", today.strftime("%Y/%m/%d"),
         "", "", "", "", "拒否", ""],
    ]  # fmt: skip
    await page.get_by_role("button", name="一括登録", exact=True).click()
    dialog = page.get_by_role("dialog", name="一括登録")
    await expect(dialog).to_be_visible()
    await stop("users-import")
    async with page.expect_file_chooser() as chooser:
        await dialog.get_by_text("CSVファイルをここにドラッグ＆ドロップ").click()
    chosen: FilePayload = {
        "name": "利用者一覧.csv",
        "mimeType": "text/csv",
        "buffer": csv_bytes(rows, "cp932"),
    }
    await (await chooser.value).set_files(files=[chosen])
    await dialog.get_by_role("button", name="登録").click()
    await expect(dialog.get_by_role("status")).to_be_visible(timeout=30_000)
    await stop("users-import-result")
    await dialog.get_by_role("button", name="閉じる").last.click()


async def terminal_screens(page: Page, stop: Stop) -> None:
    """接続端末一覧, 新規 (ユーザー選択, 確認), 編集 with its agent credentials, 削除
    (manual 3.5–3.7)."""
    await page.get_by_role("navigation").get_by_role("link", name="接続端末").click()
    main = page.get_by_role("main")
    await expect(page.get_by_role("heading", name="接続端末一覧")).to_be_visible()
    await expect(main.get_by_role("button", name="接続端末編集").first).to_be_visible()
    await stop("terminals")

    await page.get_by_role("button", name="新規").click()
    await expect(page.get_by_role("heading", name="接続端末メンテナンス 新規")).to_be_visible()
    await page.get_by_label("接続端末名").fill("operation-group09")
    # The facility's users arrive after the form: tick two once they are listed (taken
    # earlier, the list could still be empty and nothing was ticked).
    boxes = main.get_by_role("checkbox", name=re.compile("を選択$"))
    await expect(boxes.nth(1)).to_be_visible()
    for box in (await boxes.all())[:2]:
        await box.check()
    await expect(main.get_by_text("2 人選択中")).to_be_visible()
    await stop("terminal-new")
    await page.get_by_role("button", name="登録", exact=True).click()
    await expect(page.get_by_role("dialog", name="確認")).to_be_visible()
    await stop("terminal-new-confirm")
    await page.get_by_role("dialog", name="確認").get_by_role("button", name="キャンセル").click()

    await page.get_by_role("button", name="戻る").click()
    await main.get_by_role("button", name="接続端末編集").first.click()
    await expect(page.get_by_role("heading", name="接続端末メンテナンス 編集")).to_be_visible()
    await stop("terminal-edit")
    await page.get_by_role("button", name="発行").click()
    issued = page.get_by_role("dialog", name="エージェント認証情報の発行")
    await expect(issued).to_be_visible()
    await stop("terminal-credential-issued")
    await issued.get_by_role("button", name="閉じる").click()

    await page.get_by_role("button", name="戻る").click()
    await main.get_by_role("button", name="接続端末削除").first.click()
    await expect(page.get_by_role("dialog", name="注意")).to_be_visible()
    await stop("terminal-delete")
    await page.get_by_role("dialog", name="注意").get_by_role("button", name="キャンセル").click()


async def facility_screen(page: Page, stop: Stop) -> None:
    """施設情報: the facility's settings, read-only (SPEC T1; issue 15)."""
    await page.get_by_role("navigation").get_by_role("link", name="施設情報").click()
    await expect(page.get_by_role("heading", name="施設情報", level=1)).to_be_visible()
    await expect(page.get_by_role("main").get_by_text("Asia/Tokyo")).to_be_visible()
    await stop("facility")


async def sign_in_again(page: Page, admin: FacilityAdmin, app: Authenticator, stop: Stop) -> None:
    """ログアウト, then a sign-in with the enrolled authenticator (コードの確認)."""
    await page.get_by_role("button", name="ログアウト").click()
    await expect(page.get_by_text("ログアウトしました。")).to_be_visible()
    await stop("signin-signed-out")
    await page.goto("/signin?reason=expired")
    await expect(page.get_by_text("一定時間操作がなかったため")).to_be_visible()
    await stop("signin-expired")
    await enter_password(page, admin.account, NEW_PASSWORD)
    await enter_code(page, app, stop)
    await enter_second_password(page, admin.second_password)
    await expect(page.get_by_role("heading", name="ユーザー一覧")).to_be_visible()
