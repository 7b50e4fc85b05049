"""An admin's whole day with a jump host, through the console only (issue 14): the first
sign-in, a terminal on 接続端末, a user assigned to it on the user form, the terminal's agent
credential issued and read off the page; the reference agent (the jump host, the one side a
script plays) connects the user with it; ログ参照 shows the live row, 強制切断 from the page,
and the row follows the agent's acknowledgement without a reload (SPEC U1, K2, K3, C1, C4).
"""

import re

from playwright.async_api import Page, expect

from tests.ui.console_suite import Console, FacilityAdmin
from tests.ui.jump_host import MAC, connect, running_agent
from tests.ui.log_walk import force_close, has, log_table, wait_rows
from tests.ui.signin import Authenticator, first_sign_in


async def terminal_list(page: Page) -> None:
    await page.get_by_role("navigation").get_by_role("link", name="接続端末").click()
    await expect(page.get_by_role("heading", name="接続端末一覧")).to_be_visible()


async def create_terminal_on_page(page: Page, name: str) -> None:
    """接続端末 → 「新規」 → the name → 「登録」 → 「OK」 (K2)."""
    await terminal_list(page)
    await page.get_by_role("button", name="新規").click()
    await expect(page.get_by_role("heading", name="接続端末メンテナンス 新規")).to_be_visible()
    await page.get_by_label("接続端末名").fill(name)
    await page.get_by_role("button", name="登録", exact=True).click()
    await page.get_by_role("dialog", name="確認").get_by_role("button", name="OK").click()
    await expect(page.get_by_role("heading", name="接続端末一覧")).to_be_visible()


async def create_user_on_page(page: Page, name: str, terminal: str) -> str:
    """ユーザー管理 → 「新規」 with a MAC address and 接続端末 (U1, K3); the account as
    「ユーザー登録完了」 shows it."""
    await page.get_by_role("navigation").get_by_role("link", name="ユーザー管理").click()
    await expect(page.get_by_role("heading", name="ユーザー一覧")).to_be_visible()
    await page.get_by_role("button", name="新規").click()
    await expect(page.get_by_role("heading", name="ユーザーメンテナンス 新規")).to_be_visible()
    await page.get_by_label("アカウント", exact=True).fill(name)
    await page.get_by_label("姓").fill("踏台")
    await page.get_by_label("名", exact=True).fill("太郎")
    await page.get_by_label("メールアドレス").fill(f"{name}@example.jp")
    macs = page.get_by_label("MACアドレス")
    await macs.fill(MAC)
    await macs.press("Enter")
    terminals = page.get_by_role("main").get_by_label("接続端末")
    await terminals.click()
    await terminals.fill(terminal)
    # antd's role=option nodes are an invisible list for screen readers; the mouse clicks
    # the visible item.
    await page.locator(".ant-select-item-option").filter(has_text=terminal).click()
    await page.keyboard.press("Escape")
    await page.get_by_role("button", name="登録").click()
    await page.get_by_role("dialog", name="確認").get_by_role("button", name="OK").click()
    done = page.get_by_role("dialog", name="ユーザー登録完了")
    await expect(done.locator(".user-secrets")).to_have_count(3)  # account and two secrets
    account = (await done.locator(".user-secrets").all_inner_texts())[0].strip()
    await done.get_by_role("button", name="OK").click()
    return account


async def issue_credential_on_page(page: Page, terminal: str) -> str:
    """接続端末編集 → 「発行」: the token, shown this once."""
    await terminal_list(page)
    row = page.get_by_role("main").get_by_role("row").filter(has_text=terminal)
    await row.get_by_role("button", name="接続端末編集").click()
    await (
        page.get_by_role("region", name="エージェント認証情報")
        .get_by_role("button", name="発行")
        .click()
    )
    issued = page.get_by_role("dialog", name="エージェント認証情報の発行")
    token = (await issued.locator(".terminal-token").inner_text()).strip()
    await issued.get_by_role("button", name="閉じる").click()
    await expect(issued).to_be_hidden()
    return token


async def test_a_jump_host_set_up_in_the_browser_is_force_closed_from_it_U1_K3_C1_C4(
    page: Page, console: Console, facility: FacilityAdmin
) -> None:
    await first_sign_in(page, facility, Authenticator())
    terminal = f"{facility.code}-e2e-group01"
    await create_terminal_on_page(page, "e2e-group01")
    account = await create_user_on_page(page, "e2e-user01", terminal)
    assert re.fullmatch(rf"{facility.code}-e2e-user01@\S+", account), account

    # The assignment made on the user form is the terminal's too (K3): one user.
    await terminal_list(page)
    listed = page.get_by_role("main").get_by_role("row").filter(has_text=terminal)
    await expect(listed.get_by_role("cell").nth(1)).to_have_text("1")
    token = await issue_credential_on_page(page, terminal)

    async with running_agent(console.url, token) as agent:
        session_id = await connect(agent, account)

        await page.get_by_role("navigation").get_by_role("link", name="ログ参照").click()
        await expect(page.get_by_role("tab", name="端末接続履歴")).to_have_attribute(
            "aria-selected", "true"
        )
        await wait_rows(page, has("接続中"))  # 「更新」 until audit has projected the start
        row = log_table(page).locator("tbody tr.ant-table-row").filter(has_text=account)
        await expect(row).to_have_count(1)
        await expect(row).to_contain_text(terminal)
        await force_close(page, row.filter(has_text="接続中"), account, "端末の点検のため")

        # No reload from here: the page follows the row until the agent has acknowledged.
        await expect(row).to_contain_text("強制切断")
        await expect(row.get_by_role("button", name="強制切断")).to_have_count(0)
        await expect(row).to_contain_text(re.compile(r"端末確認 \d{4}/\d{2}/\d{2} \d{2}:\d{2}"))
        assert agent.state.cut == {session_id: "強制切断"}
        ended = await row.get_by_role("cell").nth(1).inner_text()
        assert re.match(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}", ended.strip()), ended
