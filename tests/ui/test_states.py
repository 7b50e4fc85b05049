"""The states around the data (issue 13): an empty facility, a search that finds nobody, and
the network gone — said plainly, with a way to try again, never a blank page."""

import re
from datetime import date

from playwright.async_api import BrowserContext, Page, Route, expect

from tests.gateway_support import Admin
from tests.ui.data import create_user, user_body


async def test_an_empty_list_and_a_search_without_match_say_so_U3(signed_in: Page) -> None:
    page = signed_in
    await page.goto("/users")
    main = page.get_by_role("main")
    await expect(main.get_by_text("ユーザーが登録されていません。")).to_be_visible()
    await main.get_by_role("textbox", name="アカウント").fill("nobody")
    await main.get_by_role("button", name="検索").click()
    await expect(page).to_have_url(re.compile(r"account=nobody"))
    await expect(main.get_by_text("条件に一致するユーザーはいません。")).to_be_visible()
    await page.get_by_role("navigation").get_by_text("出力一覧").click()
    await expect(main.get_by_text("出力ファイルはありません。")).to_be_visible()


NETWORK = "サーバーに接続できません。ネットワークの状態を確認してください。"


async def cut(route: Route) -> None:
    """The server out of reach (a hospital's line to it down): every request fails.

    Not Playwright's offline mode: with navigator.onLine false, TanStack Query pauses its
    requests and the screen waits — the other half of "the network gone", reported apart.
    """
    await route.abort("internetdisconnected")


async def test_the_network_gone_while_reading_shows_the_problem_and_a_retry(
    context: BrowserContext, signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    first = await create_user(admin, user_body("offline-user01", 1, date.today()))
    second = await create_user(admin, user_body("offline-user02", 2, date.today()))
    await page.goto(f"/users/{first['user_id']}/edit")  # the form's code is loaded now
    await expect(page.get_by_label("メールアドレス")).to_have_value(first["email"])
    await page.goto("/users?account=offline-user")
    row = page.get_by_role("main").get_by_role("row").filter(has_text=second["account"])
    await expect(row).to_be_visible()

    await context.route("**/api/**", cut)
    await row.get_by_role("button", name="ユーザー編集").click()
    failed = page.get_by_role("main").get_by_role("alert")
    await expect(failed).to_contain_text("データを読み込めませんでした。", timeout=15_000)
    await expect(failed).to_contain_text(NETWORK)
    await context.unroute("**/api/**")
    await failed.get_by_role("button", name="再読み込み").click()
    await expect(page.get_by_label("メールアドレス")).to_have_value(second["email"])


async def test_the_network_gone_before_a_screen_was_ever_opened_is_said_plainly(
    context: BrowserContext, signed_in: Page
) -> None:
    page = signed_in
    await page.goto("/users")
    await expect(page.get_by_role("heading", name="ユーザー一覧")).to_be_visible()
    await context.route("**/*", cut)
    await page.get_by_role("navigation").get_by_text("出力一覧").click()
    # Whatever part is missing, the code of the screen or its data: the console's own
    # words and a way to try again, never the router's raw error page.
    retry = page.get_by_role("alert").get_by_role("button", name="再読み込み")
    await expect(retry).to_be_visible(timeout=15_000)
    await expect(page.get_by_text("Unexpected Application Error")).to_have_count(0)
    await context.unroute("**/*")
    await retry.click()
    await expect(page.get_by_role("heading", name="出力一覧")).to_be_visible()
