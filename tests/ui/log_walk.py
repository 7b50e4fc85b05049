"""The walk's stops in 「ログ参照」 (manual 3.8): a log with rows, 期間 with カスタム期間, and
「フィルターを追加」. 強制切断's dialog needs a connected agent; tests/ui/test_logs.py scans it."""

from playwright.async_api import Page, expect

from tests.ui.signin import Stop


async def log_screens(page: Page, stop: Stop) -> None:
    await page.get_by_role("navigation").get_by_role("link", name="ログ参照").click()
    await expect(page.get_by_role("heading", name="ログ参照")).to_be_visible()
    await expect(page.get_by_role("tab", name="端末接続履歴")).to_have_attribute(
        "aria-selected", "true"
    )
    await page.get_by_role("tab", name="操作ログ").click()
    panel = page.get_by_role("tabpanel")
    await expect(panel.locator("tbody tr.ant-table-row").first).to_be_visible()
    await stop("logs")

    await page.get_by_role("button", name="操作時間: 過去7日間").click()
    await page.get_by_role("radio", name="カスタム期間").check()
    await expect(page.get_by_label("FROM", exact=True)).to_be_visible()
    await stop("logs-period")
    await page.keyboard.press("Escape")

    await page.get_by_role("button", name="フィルターを追加").click()
    await expect(page.get_by_role("dialog", name="フィルター選択")).to_be_visible()
    await stop("logs-filter")
    await (
        page.get_by_role("dialog", name="フィルター選択")
        .get_by_role("button", name="キャンセル")
        .click()
    )
