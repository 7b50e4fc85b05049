"""The walk's stops in 「ログ参照」 (manual 3.8): a log with rows, 期間 with カスタム期間, and
「フィルターを追加」. 強制切断's dialog needs a connected agent; tests/ui/test_logs.py scans it.
Also the steps the log tests share: reading the rows shown, 「更新」 until they match, 強制切断."""

import re
from collections.abc import Callable
from datetime import datetime

from playwright.async_api import Locator, Page, expect

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


Check = Callable[[list[list[str]]], bool]
"""A condition on a log's rows as shown (texts per cell)."""


def log_table(page: Page) -> Locator:
    return page.get_by_role("tabpanel").locator("table")


async def shown_rows(page: Page) -> list[list[str]]:
    """The table's rows as texts per cell (the 操作 column left out)."""
    await expect(log_table(page).locator("thead th").first).to_have_text(re.compile(r"\S"))
    headings = [h.strip() for h in await log_table(page).locator("thead th").all_inner_texts()]
    width = len([h for h in headings if h and h != "操作"])
    rows = []
    for row in await log_table(page).locator("tbody tr.ant-table-row").all():
        cells = await row.locator("td").all_inner_texts()
        rows.append([c.split("\n")[0].strip() for c in cells[:width]])
    return rows


async def wait_rows(page: Page, check: Check, timeout_s: float = 15.0) -> list[list[str]]:
    """The rows once ``check(rows)`` holds, pressing 「更新」 between looks (the services
    project a log row a moment after the fact; the page reads again only when asked)."""
    deadline = datetime.now().timestamp() + timeout_s
    while True:
        rows = await shown_rows(page)
        if check(rows):
            return rows
        if datetime.now().timestamp() > deadline:
            raise AssertionError(f"rows never matched: {rows}")
        await (
            page.get_by_role("group", name="ログの操作").get_by_role("button", name="更新").click()
        )
        await page.wait_for_timeout(500)


def has(text: str) -> Check:
    return lambda rows: any(text in " ".join(r) for r in rows)


async def force_close(page: Page, row: Locator, account: str, reason: str) -> None:
    """「強制切断」 on a live row: the confirmation names the account and wants a reason."""
    await row.get_by_role("button", name="強制切断").click()
    dialog = page.get_by_role("dialog", name="強制切断")
    await expect(dialog).to_contain_text("次の接続を強制切断します。よろしいですか。")
    await expect(dialog).to_contain_text(account)
    await dialog.get_by_label("理由").fill(reason)
    await dialog.get_by_role("button", name="OK").click()
    await expect(dialog).to_be_hidden()
