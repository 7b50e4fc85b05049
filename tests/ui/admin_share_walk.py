"""The admins' 「ファイル共有」 (/shares, manual 3.9) in the walk: アップロード with a user and
a file chosen, ダウンロード with that share's row, 承認 (SPEC F1, F5, F8).

For the walk (tests/ui/walk.py, after the log screens while the admin is signed in) and
test_shares' axe scan. ``recipient``: (part of) the account of a user whose ファイル共有権限 is
not 拒否 (an admin cannot share with one who may not share: the upload is refused).
"""

from playwright.async_api import FilePayload, Page, expect

from fumidai_cli.demo import DEMO_FACILITY
from tests.ui.signin import Stop

SAMPLE = FilePayload(
    name="電子カルテログ_20250520.txt",
    mimeType="text/plain",
    buffer="2025-05-20 09:31:59 処方オーダー送信 完了\n".encode() * 64,
)


def allowed_recipient(code: str) -> str:
    """A user whose ファイル共有権限 allows sharing (an admin cannot share with a 拒否 user) in
    either facility the walk runs in: the demo data of ./fumidai up (998,常に許可 are
    operation-user12–16, 22) or tests/ui/data.seed_manual_style (operation-user02 常に許可)."""
    return "operation-user15" if code == DEMO_FACILITY.code else "operation-user02"


async def admin_share_screens(page: Page, stop: Stop, recipient: str) -> None:
    await page.goto("/shares/upload")
    await expect(page.get_by_role("tab", name="アップロード", selected=True)).to_be_visible()
    field = page.get_by_label("共有先ユーザー")
    await field.click()
    await field.fill(recipient)
    # antd's role=option nodes are an invisible list for screen readers; the mouse clicks
    # the visible item.
    await page.locator(".ant-select-item-option").filter(has_text=recipient).first.click()
    await page.locator("input[type=file]").set_input_files([SAMPLE])
    await page.get_by_label("共有目的").fill("電子カルテの処方不具合に関する調査のためのログ")
    await stop("shares-upload")

    await page.get_by_role("button", name="アップロード", exact=True).click()
    await expect(page.get_by_text(f"{SAMPLE['name']}（", exact=False)).to_be_visible(timeout=30_000)
    await page.get_by_role("tab", name="ダウンロード").click()
    row = page.get_by_role("row").filter(has_text=SAMPLE["name"]).first
    await expect(row.get_by_role("button", name=SAMPLE["name"])).to_be_visible()
    await stop("shares-download")

    await page.get_by_role("tab", name="承認").click()
    await expect(page.get_by_role("tab", name="承認", selected=True)).to_be_visible()
    await expect(page.get_by_role("main").get_by_role("table")).to_be_visible()
    await stop("shares-approvals")
