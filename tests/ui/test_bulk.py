"""The bulk tools in a real browser: 有効終了日一括登録 (U7), 一括登録 of a CSV, 全件CSV出力 and
出力一覧 (U6; manual 3.3, 3.4)."""

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.async_api import FilePayload, Locator, Page, expect

from services.identity.messages import MESSAGES
from tests.gateway_support import Admin
from tests.ui.csv_files import HEADER, csv_bytes, read_csv
from tests.ui.data import create_user, read_user, user_body

TODAY = date.today()


def slash(day: date) -> str:
    return day.strftime("%Y/%m/%d")


async def pick_date(field: Locator, day: date) -> None:
    """Type a date into an antd DatePicker as an admin would, and take it with Enter."""
    await field.click()
    await field.fill(slash(day))
    await field.press("Enter")


async def test_bulk_end_date_reports_each_user_and_refuses_a_later_start_U7(
    signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    now = await create_user(admin, user_body("enddate-user01", 1, TODAY))
    later = await create_user(
        admin,
        user_body(
            "enddate-user02",
            2,
            TODAY,
            valid_from=(TODAY + timedelta(days=60)).isoformat(),
            valid_until=(TODAY + timedelta(days=90)).isoformat(),
        ),
    )
    until = TODAY + timedelta(days=30)
    await page.goto("/users?account=enddate-user")
    for user in (now, later):
        await page.get_by_role("checkbox", name=f"{user['account']} を選択").check()
    await expect(page.get_by_text("2 件選択中")).to_be_visible()
    await page.get_by_role("button", name="有効終了日一括登録").click()

    dialog = page.get_by_role("dialog", name="有効終了日一括登録")
    await expect(dialog.get_by_text("対象ユーザー（2人）")).to_be_visible()
    for user in (now, later):  # the confirmation: アカウント, 氏名, 有効開始日, 有効終了日
        row = dialog.get_by_role("row").filter(has_text=user["account"])
        await expect(row).to_contain_text(user["display_name"])
        await expect(row).to_contain_text(slash(date.fromisoformat(user["valid_from"])))
        await expect(row).to_contain_text(slash(date.fromisoformat(user["valid_until"])))
    await pick_date(dialog.get_by_label("有効終了日"), until)
    await dialog.get_by_role("button", name="OK").click()

    await expect(dialog.get_by_role("status")).to_contain_text(
        "1人の有効終了日を登録しました。1人はエラーのため登録されていません。"
    )
    await expect(dialog.get_by_role("row").filter(has_text=now["account"])).to_contain_text("成功")
    await expect(dialog.get_by_role("row").filter(has_text=later["account"])).to_contain_text(
        MESSAGES["valid_until_before_start"]
    )
    assert (await read_user(admin, now["user_id"]))["valid_until"] == until.isoformat()
    assert (await read_user(admin, later["user_id"]))["valid_until"] == later["valid_until"]
    await dialog.get_by_role("button", name="閉じる").last.click()  # the footer's, not the ×
    await expect(page.get_by_role("main").get_by_text(slash(until))).to_be_visible()


async def upload(page: Page, name: str, content: bytes) -> Locator:
    """「一括登録」 with a file chosen in the file dialog; the dialog, following the job."""
    await page.goto("/users")
    await page.get_by_role("button", name="一括登録", exact=True).click()
    dialog = page.get_by_role("dialog", name="一括登録")
    async with page.expect_file_chooser() as chooser:
        await dialog.get_by_text("CSVファイルをここにドラッグ＆ドロップ").click()
    chosen: FilePayload = {"name": name, "mimeType": "text/csv", "buffer": content}
    await (await chooser.value).set_files(files=[chosen])
    await expect(dialog.get_by_text(name)).to_be_visible()
    await dialog.get_by_role("button", name="登録").click()
    return dialog


async def test_cp932_import_with_errors_and_its_result_file_U6(
    signed_in: Page, admin: Admin, tmp_path: Path
) -> None:
    page = signed_in
    existing = await create_user(admin, user_body("import-user01", 1, TODAY))
    rows = [
        # Changes 名 of an existing user.
        ["import-user01", "operation", "更新済", existing["email"], slash(TODAY),
         slash(TODAY + timedelta(days=365)), "00-11-22-33-44-55", "", "", "", "拒否", ""],
        # A new user, kanji and all (CP932, as Excel in Japan saves it).
        ["import-user02", "山田", "花子", "hanako@example.jp", slash(TODAY),
         slash(TODAY + timedelta(days=100)), "", "", "8:30", "17:30", "承認後に許可", ""],
        # Three problems in one row: each named with its column.
        ["import-user03", "", "次郎", "jiro@", "2026/13/40", slash(TODAY), "", "", "", "",
         "拒否", ""],
    ]  # fmt: skip
    dialog = await upload(page, "利用者一覧.csv", csv_bytes(rows, "cp932"))

    await expect(dialog.get_by_role("status")).to_contain_text(
        "一括登録が完了しました。エラーの行は結果CSVの[エラー内容]列を確認してください。",
        timeout=30_000,
    )
    async with page.expect_download() as saving:
        await dialog.get_by_role("button", name="結果CSVをダウンロード").click()
    saved = await saving.value
    path = tmp_path / saved.suggested_filename
    await saved.save_as(path)
    assert path.suffix == ".csv", saved.suggested_filename

    result = {row["アカウント"]: row for row in read_csv(path)}
    assert list(next(iter(result.values())))[: len(HEADER)] == HEADER
    assert result["import-user01"]["更新内容"] == "名"
    assert result["import-user01"]["エラー内容"] == ""
    created = result["import-user02"]
    assert (created["更新内容"], created["エラー内容"]) == ("新規作成", "")
    assert len(created["初期パスワード"]) >= 12 and created["初期第二パスワード"]
    problems = result["import-user03"]["エラー内容"]
    for column, code in (
        ("姓", "family_name_required"),
        ("メールアドレス", "email_invalid"),
        ("有効開始日", "valid_from_invalid"),
    ):
        assert f"{column}: {MESSAGES[code]}" in problems, problems
    assert result["import-user03"]["初期パスワード"] == ""
    assert (await read_user(admin, existing["user_id"]))["given_name"] == "更新済"


DROP = """([name, bytes]) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], name, {type: 'text/csv'}));
  return data;
}"""
"""A file dragged from the desktop, as the drop event carries it."""


async def test_a_utf8_file_dropped_on_the_dialog_is_imported_U6(
    signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    rows = [
        ["drop-user01", "佐藤", "一郎", "ichiro@example.jp", f"{TODAY:%Y/%-m/%-d}",
         f"{TODAY + timedelta(days=10):%Y-%m-%d}", "aabbccddeeff", "", "", "", "常に許可", ""],
    ]  # fmt: skip
    await page.goto("/users")
    await page.get_by_role("button", name="一括登録", exact=True).click()
    dialog = page.get_by_role("dialog", name="一括登録")
    files = await page.evaluate_handle(DROP, ["ドロップ.csv", list(csv_bytes(rows, "utf-8-sig"))])
    zone = dialog.get_by_text("CSVファイルをここにドラッグ＆ドロップ")
    await zone.dispatch_event("dragover", {"dataTransfer": files})
    await zone.dispatch_event("drop", {"dataTransfer": files})
    await expect(dialog.get_by_text("ドロップ.csv")).to_be_visible()
    await dialog.get_by_role("button", name="登録").click()
    await expect(dialog.get_by_role("status")).to_contain_text(
        "一括登録が完了しました。", timeout=30_000
    )
    await dialog.get_by_role("button", name="閉じる").last.click()
    await page.goto("/users?account=drop-user01")
    row = page.get_by_role("main").get_by_role("row").filter(has_text="drop-user01")
    await expect(row).to_contain_text("佐藤 一郎")
    await expect(row).to_contain_text("AA:BB:CC:DD:EE:FF")
    await expect(row).to_contain_text(slash(TODAY + timedelta(days=10)))


async def queue_import(admin: Admin, rows: int) -> str:
    """An import of ``rows`` new users queued through the API: the job runner's next work."""
    lines = [
        [f"load-user{n:05d}", "load", f"user{n:05d}", f"load{n:05d}@example.jp", slash(TODAY),
         slash(TODAY + timedelta(days=30)), "", "", "", "", "拒否", ""]
        for n in range(rows)
    ]  # fmt: skip
    queued = await admin.send(
        "POST",
        "/jobs/user-import",
        content=csv_bytes(lines, "utf-8-sig"),
        headers={"Content-Type": "text/csv"},
    )
    assert queued.status_code in (200, 201, 202), queued.text
    job_id: str = queued.json()["job_id"]
    return job_id


async def test_export_waits_then_completes_and_downloads_U6(
    signed_in: Page, admin: Admin, tmp_path: Path
) -> None:
    page = signed_in
    await create_user(admin, user_body("export-user01", 1, TODAY, family_name="出力"))
    await page.goto("/users")
    await page.get_by_role("button", name="全件CSV出力").click()
    confirm = page.get_by_role("dialog", name="全件CSV出力")
    await expect(confirm).to_contain_text("検索条件に関わらず")
    # One job at a time per identity: another admin's import, started a moment before,
    # keeps this export 待機中 long enough to be seen.
    await queue_import(admin, 3000)
    await confirm.get_by_role("button", name="OK").click()
    queued = page.get_by_role("dialog", name="全件CSV出力を受け付けました。")
    await queued.get_by_role("button", name="出力一覧へ").click()
    await expect(page.get_by_role("heading", name="出力一覧")).to_be_visible()

    table = page.get_by_role("main").get_by_role("table")
    export = table.get_by_role("row").filter(has_text="ユーザー一覧")
    await expect(export).to_contain_text("待機中")
    running = table.get_by_role("row").filter(has_text="一括登録結果").filter(has_text="処理中")
    await expect(running.get_by_role("progressbar")).to_be_visible()

    await expect(export).to_contain_text("完了", timeout=120_000)
    await expect(export).to_contain_text(re.compile(r"残り[23]日"))
    async with page.expect_download() as saving:
        await export.get_by_role("button", name="ダウンロード").click()
    saved = await saving.value
    path = tmp_path / "export.csv"
    await saved.save_as(path)
    rows = read_csv(path)
    assert list(rows[0])[: len(HEADER)] == HEADER
    mine = [r for r in rows if r["アカウント"].startswith(f"{admin.facility}-export-user01@")]
    assert mine and mine[0]["姓"] == "出力", rows[:3]
