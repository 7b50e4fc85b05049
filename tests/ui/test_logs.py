"""「ログ参照」 in a real browser (manual 3.8; SPEC A1–A6, C4): rows made through the API
and the reference agent, filters as chips, a custom period in the facility's time zone,
「CSV出力」 against the rows shown, and 「強制切断」 acknowledged by a connected agent."""

import asyncio
import csv
import io
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from fumidai_cli.reference_agent.client import AgentClient
from fumidai_cli.reference_agent.runner import JumpHostAgent
from tests.gateway_support import Admin, eventually, post_user_share, user_ready_to_share
from tests.ui.browser import axe_violations, new_context
from tests.ui.console_suite import Console, adopt_session
from tests.ui.data import create_terminal, create_user, user_body
from tests.ui.jump_host import POLL_WAIT_S, connect
from tests.ui.log_walk import has, log_table, shown_rows, wait_rows
from tests.ui.walk import settle

TOKYO = ZoneInfo("Asia/Tokyo")
CONTENT = "検査結果のメモ".encode()


@dataclass
class Scene:
    agent: JumpHostAgent
    user: dict[str, object]
    other: dict[str, object]
    terminal: str


async def share_a_file(url: str, user: dict[str, object]) -> None:
    """The user signs in to 「ファイル共有」 and uploads one file (a ログインログ row and a
    ファイル共有 row)."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        bearer = await user_ready_to_share(http, user)
        uploaded = await post_user_share(http, bearer, "結果.txt", CONTENT, "検査データの共有")
        assert uploaded.status_code == 201, uploaded.text


async def create_with_secrets(admin: Admin, body: dict[str, object]) -> dict[str, object]:
    """The user and the secrets its creation showed once (for its own sign-in)."""
    created = await admin.send("POST", "/users", json=body)
    assert created.status_code == 201, created.text
    answer: dict[str, object] = created.json()
    user = answer.pop("user")
    assert isinstance(user, dict)
    return {**user, **answer}


@pytest.fixture(scope="module")
async def scene(console: Console, admin: Admin) -> AsyncIterator[Scene]:
    """A terminal, two users assigned to it, the terminal's agent connected (its credential
    issued through the admin API), one ended session, and one file shared."""
    today = date.today()
    terminal_id = await create_terminal(admin, "踏み台端末01")
    user = await create_with_secrets(
        admin, user_body("log-user01", 1, today, terminals=[terminal_id], file_share="always")
    )
    other = await create_user(admin, user_body("log-user02", 2, today, terminals=[terminal_id]))
    issued = await admin.send("POST", f"/terminals/{terminal_id}/credentials")
    assert issued.status_code == 201, issued.text
    client = AgentClient(console.url, issued.json()["token"])
    agent = JumpHostAgent(client, poll_wait=POLL_WAIT_S)
    info = await agent.start()
    try:
        ended = await connect(agent, str(other["account"]))
        await agent.disconnect(ended)
        await share_a_file(console.url, user)
        yield Scene(agent, user, other, info.name)
    finally:
        await agent.stop()
        await client.aclose()


async def test_every_tab_shows_its_rows_with_A1s_columns(signed_in: Page, scene: Scene) -> None:
    page = signed_in
    await page.goto("/logs")
    await expect(page).to_have_url("/logs/connections")
    await expect(page.get_by_role("link", name="ログ参照")).to_have_attribute(
        "aria-current", "page"
    )
    expected = {
        "端末接続履歴": [
            "接続開始時間",
            "接続終了時間",
            "アカウント",
            "接続端末",
            "アクティブ状態",
            "操作",
        ],
        "ログインログ": [
            "ログイン時間",
            "ユーザー名",
            "アカウント",
            "アプリ名",
            "状態",
            "接続元IPアドレス",
        ],
        "ファイル共有": [
            "処理時間",
            "アカウント",
            "ユーザー名",
            "処理",
            "ファイル名",
            "容量",
            "院内外",
            "共有理由",
            "検査結果",
            "承認",
            "承認/否認時間",
        ],
        "操作ログ": ["操作時間", "操作者", "権限", "操作内容", "対象", "接続元IPアドレス"],
    }
    made = {
        "端末接続履歴": str(scene.other["account"]),
        "ログインログ": str(scene.user["account"]),
        "ファイル共有": "結果.txt",
        "操作ログ": "log-user01",
    }
    for tab, headings in expected.items():
        await page.get_by_role("tab", name=tab).click()
        await expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        await expect(log_table(page).locator("thead th")).to_have_text(headings)
        await wait_rows(page, has(made[tab]))
    await expect(page).to_have_url("/logs/operations")
    await expect(page.get_by_role("button", name="操作時間: 過去7日間")).to_be_visible()


@dataclass(frozen=True)
class LogTab:
    """One tab of 「ログ参照」 as the tests below walk it."""

    path: str
    time: str
    """The time column: the period's button is named after it."""
    column: str
    """A column to filter by (「フィルターを追加」's 項目) and its name in the address."""
    key: str
    value: Callable[[Scene], str]
    """A value the scene's rows of this tab hold in that column."""


TABS = [
    LogTab(
        "connections", "接続開始時間", "アカウント", "account", lambda s: str(s.other["account"])
    ),
    LogTab("signins", "ログイン時間", "アカウント", "account", lambda s: str(s.user["account"])),
    LogTab("shares", "処理時間", "ファイル名", "file_name", lambda s: "結果.txt"),
    LogTab("operations", "操作時間", "対象", "target", lambda s: "log-user02"),
]
EVERY_TAB = pytest.mark.parametrize("tab", TABS, ids=[t.path for t in TABS])


async def add_filter(page: Page, column: str, value: str) -> Locator:
    """「フィルターを追加」 → 項目 and 条件 → 追加; the chips' list."""
    await page.get_by_role("button", name="フィルターを追加").click()
    dialog = page.get_by_role("dialog", name="フィルター選択")
    await dialog.get_by_label("項目").click()
    options = page.locator(".ant-select-item-option").filter(has_text=re.compile(f"^{column}$"))
    await options.click()
    await dialog.get_by_label("条件").fill(value)
    await dialog.get_by_role("button", name="追加").click()
    chips = page.get_by_role("list", name="適用中のフィルター")
    await expect(chips).to_contain_text(f"{column}: {value}")
    return chips


@EVERY_TAB
async def test_a_filter_chip_narrows_the_rows_and_removing_it_restores_them_A4(
    signed_in: Page, scene: Scene, tab: LogTab
) -> None:
    page = signed_in
    value = tab.value(scene)
    await page.goto(f"/logs/{tab.path}")
    before = await wait_rows(page, has(value))
    chips = await add_filter(page, tab.column, value)
    await expect(page).to_have_url(f"/logs/{tab.path}?filter={tab.key}%3A{quote(value)}")
    await expect(log_table(page).locator("tbody tr.ant-table-row").first).to_be_visible()
    narrowed = await shown_rows(page)
    assert narrowed and all(value in " ".join(r) for r in narrowed), narrowed
    chip = f"フィルター「{tab.column}: {value}」を削除"
    await chips.get_by_role("button", name=chip).click()
    await expect(chips).to_have_count(0)
    assert len(await shown_rows(page)) == len(before)
    # A value no row holds: the server filters (nothing shown), not the page.
    await add_filter(page, tab.column, "該当なし-zz")
    await expect(log_table(page)).to_contain_text("条件に一致するログはありません。")


@EVERY_TAB
async def test_a_custom_period_takes_days_of_the_facilitys_zone_A3(
    browser: Browser, console: Console, admin: Admin, scene: Scene, tab: LogTab
) -> None:
    """The browser runs in Los Angeles; the days picked are Tokyo's (the facility's): a row
    made today is in today-in-Tokyo and not in the day before, whatever UTC's date is."""
    context = await browser.new_context(
        base_url=console.url,
        locale="ja-JP",
        timezone_id="America/Los_Angeles",
        viewport={"width": 1366, "height": 768},
        accept_downloads=True,
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    value = tab.value(scene)
    try:
        await adopt_session(context, console.url, admin)
        page = await context.new_page()
        await page.goto(f"/logs/{tab.path}")
        rows = await wait_rows(page, has(value))
        tokyo_today = datetime.now(TOKYO).date()
        # The row's time is written in Tokyo's zone, not the browser's.
        times = [r[0] for r in rows if value in " ".join(r)]
        assert times and times[0].startswith(tokyo_today.strftime("%Y/%m/%d")), times

        async def pick(day_from: date, day_to: date) -> None:
            await page.get_by_role("button", name=f"{tab.time}:").click()
            custom = page.get_by_role("radio", name="カスタム期間")
            await expect(custom).to_be_visible()
            if not await custom.is_checked():
                await custom.click()
            await expect(custom).to_be_checked()
            for label, day in (("FROM", day_from), ("TO", day_to)):
                field = page.get_by_label(label, exact=True)
                await field.click()
                await field.fill(day.strftime("%Y/%m/%d"))
                await field.press("Enter")
            await page.get_by_role("button", name="適用").click()

        yesterday = tokyo_today - timedelta(days=1)
        await pick(yesterday, yesterday)
        await expect(page).to_have_url(
            f"/logs/{tab.path}?period=custom&from={yesterday}&to={yesterday}"
        )
        await expect(log_table(page)).to_contain_text("この期間のログはありません。")
        await pick(yesterday, tokyo_today)
        await expect(log_table(page)).to_contain_text(value)
        label = f"{tab.time}: カスタム期間 ({yesterday:%Y/%m/%d} 〜 {tokyo_today:%Y/%m/%d})"
        await expect(page.get_by_role("button", name=label)).to_be_visible()
    finally:
        await context.close()


@EVERY_TAB
async def test_csv_holds_the_rows_shown_A5(signed_in: Page, scene: Scene, tab: LogTab) -> None:
    page = signed_in
    await page.goto(f"/logs/{tab.path}")
    shown = await wait_rows(page, has(tab.value(scene)))
    headings = [h.strip() for h in await log_table(page).locator("thead th").all_inner_texts()]
    async with page.expect_download() as saving:
        await page.get_by_role("button", name="CSV出力").click()
    saved = await (await saving.value).path()
    lines = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert lines[0] == [h for h in headings if h and h != "操作"]
    as_shown = [[cell or "--" for cell in line] for line in lines[1:]]
    assert as_shown == shown
    await expect(page.get_by_role("button", name="全件出力")).to_have_count(0)  # < 1,000 rows


async def test_force_close_from_the_page_is_acknowledged_by_the_agent_C4(
    signed_in: Page, scene: Scene
) -> None:
    page = signed_in
    account = str(scene.user["account"])
    session_id = await connect(scene.agent, account)
    await page.goto(f"/logs/connections?filter=account%3A{account}")
    await wait_rows(page, has("接続中"))  # 「更新」 until audit has projected the start
    live = log_table(page).locator("tbody tr.ant-table-row", has_text="接続中")
    await expect(live).to_have_count(1)
    await live.get_by_role("button", name="強制切断").click()
    dialog = page.get_by_role("dialog", name="強制切断")
    await expect(dialog).to_contain_text("次の接続を強制切断します。よろしいですか。")
    await expect(dialog).to_contain_text(account)
    await dialog.get_by_role("button", name="OK").click()
    await expect(dialog).to_contain_text("理由を入力してください。")
    await dialog.get_by_label("理由").fill("点検のため")
    started = time.monotonic()
    await dialog.get_by_role("button", name="OK").click()
    await expect(dialog).to_be_hidden()
    row = log_table(page).locator("tbody tr.ant-table-row").first
    await expect(row).to_contain_text("強制切断")
    await expect(row.get_by_role("button", name="強制切断")).to_have_count(0)
    # The agent's orders poll sees the close and acknowledges it; the page polls it in.
    await expect(row).to_contain_text("端末確認", timeout=10_000)
    print(f"OK → 端末確認 shown: {(time.monotonic() - started) * 1000:.0f} ms")
    assert session_id in scene.agent.state.cut
    cells = await row.locator("td").all_inner_texts()
    assert cells[1].strip() != "--", cells  # 接続終了時間


async def test_a_second_admins_close_is_shown_as_its_message_C4(
    signed_in: Page, scene: Scene, admin: Admin
) -> None:
    page = signed_in
    account = str(scene.other["account"])
    session_id = await connect(scene.agent, account)
    await page.goto(f"/logs/connections?filter=account%3A{account}")
    await wait_rows(page, has("接続中"))
    live = log_table(page).locator("tbody tr.ant-table-row", has_text="接続中")
    await expect(live).to_have_count(1)
    await live.get_by_role("button", name="強制切断").click()
    dialog = page.get_by_role("dialog", name="強制切断")
    closed = await admin.send(
        "POST", f"/sessions/{session_id}/force-close", json={"reason": "別の管理者"}
    )
    assert closed.status_code == 200, closed.text
    await dialog.get_by_label("理由").fill("点検のため")
    await dialog.get_by_role("button", name="OK").click()
    second = await admin.send("POST", f"/sessions/{session_id}/force-close", json={"reason": "x"})
    assert second.status_code == 409, second.text
    await expect(dialog.get_by_role("alert")).to_contain_text(second.json()["title"])


async def test_the_tabs_and_the_dialogs_pass_axe(
    browser: Browser, console: Console, admin: Admin, scene: Scene
) -> None:
    context = await new_context(browser, console.url, bypass_csp=True)
    try:
        await adopt_session(context, console.url, admin)
        page = await context.new_page()
        found = {}

        async def scan(name: str) -> None:
            await settle(page)  # dialogs opened, not fading in
            found[name] = await axe_violations(page)

        await page.goto("/logs/connections")
        session_id = await connect(scene.agent, str(scene.other["account"]))
        for tab in ("端末接続履歴", "ログインログ", "ファイル共有", "操作ログ"):
            await page.get_by_role("tab", name=tab).click()
            await expect(log_table(page).locator("tbody tr.ant-table-row").first).to_be_visible()
            await scan(tab)
        await page.get_by_role("button", name="フィルターを追加").click()
        await scan("フィルター選択")
        await page.get_by_role("button", name="キャンセル").click()
        await page.get_by_role("button", name="操作時間: 過去7日間").click()
        await page.get_by_role("radio", name="カスタム期間").check()
        await scan("期間")
        await page.keyboard.press("Escape")
        await page.get_by_role("tab", name="端末接続履歴").click()
        await wait_rows(page, has("接続中"))
        live = log_table(page).locator("tbody tr.ant-table-row", has_text="接続中")
        await live.first.get_by_role("button", name="強制切断").click()
        await expect(page.get_by_role("dialog", name="強制切断")).to_be_visible()
        await scan("強制切断")
        await page.get_by_role("button", name="キャンセル").click()
    finally:
        await context.close()
        await admin.send("POST", f"/sessions/{session_id}/force-close", json={"reason": "後片付け"})
    assert not any(found.values()), found


async def test_pages_go_on_and_back_newest_first_A3(
    signed_in: Page, scene: Scene, admin: Admin
) -> None:
    """55 refusals (a MAC not registered, C1) fill more than a page of 50."""
    for _ in range(55):
        decision, live = await scene.agent.connect(str(scene.other["account"]), "66-77-88-99-AA-BB")
        assert live is None and not decision.allowed

    async def all_recorded() -> bool:
        # Audit projects the decisions a little later: page 1 may fill before the 55th is in.
        refused = await admin.get(f"/logs/connections?limit=100&filter={quote('state:接続拒否')}")
        return len(refused.json()["rows"]) >= 55

    assert await eventually(all_recorded, timeout=15)
    page = signed_in
    await page.goto("/logs/connections?filter=state%3A接続拒否")
    first = await wait_rows(page, lambda rows: len(rows) == 50)
    assert [r[0] for r in first] == sorted((r[0] for r in first), reverse=True)
    pager = page.get_by_role("navigation", name="ページ移動")
    await pager.get_by_role("button", name="次へ").click()
    await expect(pager).to_contain_text("2 ページ")
    await expect(log_table(page).locator("tbody tr.ant-table-row")).to_have_count(5)
    second = await shown_rows(page)
    assert second[0][0] <= first[-1][0]
    await expect(pager.get_by_role("button", name="次へ")).to_be_disabled()
    await pager.get_by_role("button", name="前へ").click()
    await expect(pager).to_contain_text("1 ページ")
    assert await shown_rows(page) == first


async def test_a_clean_shared_file_downloads_from_its_name_and_is_logged_A7(
    signed_in: Page, scene: Scene
) -> None:
    page = signed_in
    await page.goto("/logs/shares?filter=file_name%3A結果.txt")
    link = log_table(page).get_by_role("button", name="結果.txt")
    # Scanned by clamd meanwhile: 検査待ち has no link yet.
    await wait_rows(page, lambda rows: any("脅威なし" in r for r in rows), timeout_s=30)
    await expect(link.first).to_be_visible()
    before = len(await shown_rows(page))
    async with page.expect_download() as saving:
        await link.first.click()
    saved = await (await saving.value).path()
    assert saved.read_bytes() == CONTENT
    await wait_rows(page, lambda rows: len(rows) == before + 1)  # the download's own row


async def test_past_1000_rows_the_csv_says_so_and_the_full_export_goes_to_jobs_A5(
    signed_in: Page, scene: Scene
) -> None:
    """1,001 refusals: 「CSV出力」 takes 1,000, the page says more matched and queues the
    whole through 「全件出力」, which 出力一覧 lists."""
    account = str(scene.other["account"])

    async def refuse() -> None:
        decision, live = await scene.agent.connect(account, "66-77-88-99-AA-CC")
        assert live is None and not decision.allowed

    for _ in range(1_001 // 25 + 1):
        await asyncio.gather(*(refuse() for _ in range(25)))
    page = signed_in
    await page.goto("/logs/connections?filter=state%3A接続拒否")
    notice = page.get_by_text("条件に一致するログが1,000件を超えています。", exact=False)
    for _ in range(30):
        if await notice.count():
            break
        await (
            page.get_by_role("group", name="ログの操作").get_by_role("button", name="更新").click()
        )
        await page.wait_for_timeout(500)
    await expect(notice).to_be_visible()
    async with page.expect_download() as saving:
        await page.get_by_role("button", name="CSV出力").click()
    saved = await (await saving.value).path()
    lines = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert len(lines) == 1 + 1_000
    await page.get_by_role("button", name="全件出力").click()
    await expect(page.get_by_role("status")).to_contain_text("全件出力を受け付けました。")
    await page.get_by_role("link", name="出力一覧へ").click()
    await expect(page).to_have_url("/jobs")
    await expect(page.get_by_role("main")).to_contain_text("端末接続履歴（全件CSV出力）")
