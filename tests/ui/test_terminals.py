"""接続端末一覧, 新規, 編集 and 削除, and the terminal's agent credentials, in a real browser
(manual 3.5–3.7; SPEC K1–K4)."""

import asyncio
import re
from datetime import date
from typing import Any

from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from services.terminals.messages import MESSAGES
from tests.gateway_support import Admin
from tests.ui.browser import axe_violations, new_context, unlabelled_fields
from tests.ui.console_suite import Console, adopt_session
from tests.ui.data import create_terminal, create_user, user_body
from tests.ui.test_states import cut
from tests.ui.walk import settle


async def selectable_users(admin: Admin, *accounts: str) -> None:
    """Wait until 「ユーザー選択」 lists ``accounts``: users reach terminals as events."""
    for _ in range(100):
        listed = await admin.get("/terminals/users")
        assert listed.status_code == 200, listed.text
        if set(accounts) <= {u["account"] for u in listed.json()}:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{accounts} never became selectable")


async def users_for(admin: Admin, *names: str) -> list[dict[str, Any]]:
    made = [
        await create_user(admin, user_body(name, n, date.today()))
        for n, name in enumerate(names, start=1)
    ]
    await selectable_users(admin, *(u["account"] for u in made))
    return made


async def confirm_save(page: Page) -> None:
    """「登録」, then 「OK」 in 「確認」 (manual 3.5 (3))."""
    await page.get_by_role("button", name="登録", exact=True).click()
    confirm = page.get_by_role("dialog", name="確認")
    await expect(confirm).to_contain_text("入力された内容で接続端末を登録します。よろしいですか。")
    await confirm.get_by_role("button", name="OK").click()


def row_of(page: Page, name: str) -> Locator:
    return (
        page.get_by_role("main")
        .get_by_role("row")
        .filter(has=page.get_by_role("cell", name=name, exact=True))
    )


async def described_by(field: Locator) -> str:
    ids = await field.get_attribute("aria-describedby") or ""
    texts = [await field.page.locator(f"[id='{i}']").inner_text() for i in ids.split() if i]
    return "\n".join(texts)


async def test_create_with_two_users_then_edit_to_one_K2_K3(signed_in: Page, admin: Admin) -> None:
    page = signed_in
    one, two, three = await users_for(admin, "group-user01", "group-user02", "group-user03")
    await page.goto("/terminals")
    await expect(page.get_by_role("heading", name="接続端末一覧")).to_be_visible()
    await page.get_by_role("button", name="新規").click()
    await expect(page.get_by_role("heading", name="接続端末メンテナンス 新規")).to_be_visible()
    await expect(page.get_by_role("main").get_by_text(f"{admin.facility} -")).to_be_visible()
    await page.get_by_label("接続端末名").fill("踏み台端末01(Local)")

    # Admins are never offered (K2): the facility's admin is not among the rows.
    main = page.get_by_role("main")
    await expect(main.get_by_role("checkbox", name=f"{three['account']} を選択")).to_be_visible()
    await expect(
        main.get_by_role("checkbox", name=re.compile(re.escape(admin.account)))
    ).to_have_count(0)
    await main.get_by_role("checkbox", name=f"{one['account']} を選択").check()
    # A search keeps what was checked outside it; the count is of all the checked users.
    await main.get_by_label("アカウント").fill("group-user02")
    await main.get_by_role("button", name="検索").click()
    await expect(main.get_by_role("checkbox", name=f"{one['account']} を選択")).to_have_count(0)
    await main.get_by_role("checkbox", name=f"{two['account']} を選択").check()
    await expect(main.get_by_text("2 人選択中")).to_be_visible()
    await confirm_save(page)

    await expect(page).to_have_url(re.compile(r"/terminals$"))
    full = f"{admin.facility}-踏み台端末01(Local)"
    row = row_of(page, full)
    await expect(row).to_contain_text("2")
    listed = {t["name"]: t for t in (await admin.get("/terminals")).json()}
    assert listed[full]["user_count"] == 2

    # 編集: the checked users come first; rename and uncheck one.
    await row.get_by_role("button", name="接続端末編集").click()
    await expect(page.get_by_role("heading", name="接続端末メンテナンス 編集")).to_be_visible()
    await expect(page.get_by_label("接続端末名")).to_have_value("踏み台端末01(Local)")
    boxes = main.get_by_role("checkbox")
    await expect(boxes.nth(0)).to_be_checked()
    await expect(boxes.nth(1)).to_be_checked()
    await expect(boxes.nth(2)).not_to_be_checked()
    await expect(main.get_by_text("2 人選択中")).to_be_visible()
    await page.get_by_label("接続端末名").fill("踏み台端末01改")
    await main.get_by_role("checkbox", name=f"{one['account']} を選択").uncheck()
    await confirm_save(page)

    await expect(page).to_have_url(re.compile(r"/terminals$"))
    renamed = row_of(page, f"{admin.facility}-踏み台端末01改")
    await expect(renamed).to_contain_text("1")
    await expect(row_of(page, full)).to_have_count(0)
    users = {
        u["account"]: u["assigned"]
        for u in (
            await admin.get("/terminals/users", params={"terminal_id": listed[full]["terminal_id"]})
        ).json()
    }
    assert (users[one["account"]], users[two["account"]], users[three["account"]]) == (
        False,
        True,
        False,
    )


async def test_a_duplicate_name_is_refused_beside_the_field_K1(
    signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    await create_terminal(admin, "duplicate-group")
    await page.goto("/terminals/new")
    await page.get_by_label("接続端末名").fill("DUPLICATE-group")
    await confirm_save(page)
    message = MESSAGES["terminal_name_taken"]
    await expect(page.get_by_text(message).first).to_be_visible()
    assert await described_by(page.get_by_label("接続端末名")) == message
    await expect(page).to_have_url(re.compile(r"/terminals/new$"))
    names = [t["name"] for t in (await admin.get("/terminals")).json()]
    assert names.count(f"{admin.facility}-duplicate-group") == 1
    assert f"{admin.facility}-DUPLICATE-group" not in names


async def test_a_credential_is_shown_once_copied_and_revoked(signed_in: Page, admin: Admin) -> None:
    page = signed_in
    terminal_id = await create_terminal(admin, "agent-group")
    await page.goto(f"/terminals/{terminal_id}/edit")
    section = page.get_by_role("region", name="エージェント認証情報")
    await expect(section.get_by_text("認証情報は発行されていません。")).to_be_visible()
    await section.get_by_role("button", name="発行").click()

    issued = page.get_by_role("dialog", name="エージェント認証情報の発行")
    await expect(issued).to_contain_text(f"{admin.facility}-agent-group")
    token = (await issued.locator(".terminal-token").inner_text()).strip()
    assert len(token) >= 20, token
    await issued.get_by_role("button", name="コピー").click()
    await expect(page.get_by_text("コピーしました。")).to_be_visible()
    assert await page.evaluate("() => navigator.clipboard.readText()") == token
    await issued.get_by_role("button", name="閉じる").click()
    await expect(issued).to_be_hidden()

    # Listed, never shown again: not on the page, not after a reload.
    rows = section.get_by_role("row").filter(has_text="有効")
    await expect(rows).to_have_count(1)
    assert token not in await page.locator("body").inner_text()
    await page.reload()
    await expect(rows).to_have_count(1)
    assert token not in await page.locator("body").inner_text()

    await rows.get_by_role("button", name="失効").click()
    confirm = page.get_by_role("dialog", name="注意")
    await expect(confirm).to_contain_text("この認証情報を失効させます。")
    await confirm.get_by_role("button", name="OK").click()
    await expect(page.get_by_text("認証情報を失効させました。")).to_be_visible()
    await expect(
        section.get_by_role("row").filter(has_text=re.compile(r"失効（\d{4}/"))
    ).to_have_count(1)
    await expect(section.get_by_role("button", name="失効")).to_have_count(0)
    listed = (await admin.get(f"/terminals/{terminal_id}/credentials")).json()
    assert [c["revoked_at"] is not None for c in listed] == [True]


async def test_delete_confirms_naming_the_terminal_and_its_sessions_K4(
    signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    terminal_id = await create_terminal(admin, "delete-group")
    name = f"{admin.facility}-delete-group"
    await page.goto("/terminals")
    row = row_of(page, name)
    await row.get_by_role("button", name="接続端末削除").click()
    confirm = page.get_by_role("dialog", name="注意")
    await expect(confirm).to_contain_text("次の接続端末を削除します。よろしいですか。")
    await expect(confirm).to_contain_text(name)
    await expect(confirm).to_contain_text("削除した接続端末は、もとに戻すことができません。")
    await expect(confirm).to_contain_text("接続中のセッションは終了します")
    await confirm.get_by_role("button", name="OK").click()
    await expect(page.get_by_text("接続端末を削除しました。")).to_be_visible()
    await expect(row).to_have_count(0)
    assert (await admin.get(f"/terminals/{terminal_id}")).status_code == 404


async def test_the_list_sorts_by_name_both_ways_K1(signed_in: Page, admin: Admin) -> None:
    page = signed_in
    for name in ("sort-b", "sort-a", "sort-c"):
        await create_terminal(admin, name)
    await page.goto("/terminals")
    main = page.get_by_role("main")
    names = main.get_by_role("row").filter(has_text="sort-")
    await expect(names).to_have_count(3)

    async def order() -> list[str]:
        return [re.sub(r"\s.*", "", t.strip()) for t in await names.all_inner_texts()]

    assert await order() == [f"{admin.facility}-sort-{x}" for x in "abc"]
    await main.get_by_role("columnheader", name="接続端末名").click()
    await expect(page).to_have_url(re.compile(r"order=desc"))
    await expect(names.first).to_contain_text("sort-c")
    assert await order() == [f"{admin.facility}-sort-{x}" for x in "cba"]


async def test_the_screens_and_dialogs_pass_axe(
    browser: Browser, console: Console, admin: Admin
) -> None:
    terminal_id = await create_terminal(admin, "axe-group")
    await users_for(admin, "axe-user01")
    context = await new_context(browser, console.url, bypass_csp=True)
    await adopt_session(context, console.url, admin)
    page = await context.new_page()
    found: dict[str, Any] = {}

    async def scan(name: str) -> None:
        await settle(page)
        violations = await axe_violations(page)
        unlabelled = await unlabelled_fields(page)
        if violations or unlabelled:
            found[name] = {"axe": violations, "unlabelled": unlabelled}

    try:
        await page.goto("/terminals")
        await expect(row_of(page, f"{admin.facility}-axe-group")).to_be_visible()
        await scan("list")
        await (
            row_of(page, f"{admin.facility}-axe-group")
            .get_by_role("button", name="接続端末削除")
            .click()
        )
        await expect(page.get_by_role("dialog", name="注意")).to_be_visible()
        await scan("delete dialog")
        await (
            page.get_by_role("dialog", name="注意").get_by_role("button", name="キャンセル").click()
        )

        await page.goto("/terminals/new")
        await expect(page.get_by_role("checkbox").first).to_be_visible()
        await scan("new form")
        await page.goto(f"/terminals/{terminal_id}/edit")
        await expect(page.get_by_label("接続端末名")).to_have_value("axe-group")
        await expect(page.get_by_text("認証情報は発行されていません。")).to_be_visible()
        await scan("edit form, no credential yet")
        await page.get_by_role("button", name="発行").click()
        await expect(page.get_by_role("dialog", name="エージェント認証情報の発行")).to_be_visible()
        await scan("issued dialog")
        await page.get_by_role("button", name="閉じる").click()
        await expect(page.get_by_role("button", name="失効")).to_be_visible()
        await scan("edit form")
        await page.get_by_role("button", name="登録", exact=True).click()
        await expect(page.get_by_role("dialog", name="確認")).to_be_visible()
        await scan("confirm dialog")
    finally:
        await context.close()
    assert not found, found


async def test_a_rename_meanwhile_is_said_and_reloaded_never_overwritten_K3(
    signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    terminal_id = await create_terminal(admin, "stale-group")
    await page.goto(f"/terminals/{terminal_id}/edit")
    await expect(page.get_by_label("接続端末名")).to_have_value("stale-group")
    version = (await admin.get(f"/terminals/{terminal_id}")).json()["version"]
    meanwhile = await admin.send(
        "PATCH", f"/terminals/{terminal_id}", json={"name": "stale-other", "version": version}
    )
    assert meanwhile.status_code == 200, meanwhile.text

    await page.get_by_label("接続端末名").fill("stale-mine")
    await confirm_save(page)
    stale = page.get_by_role("alert").filter(has_text="他の管理者が先に更新しました。")
    await expect(stale).to_be_visible()
    saved = (await admin.get(f"/terminals/{terminal_id}")).json()
    assert saved["name"] == f"{admin.facility}-stale-other"  # nothing overwritten

    await stale.get_by_role("button", name="再読み込み").click()
    await expect(page.get_by_label("接続端末名")).to_have_value("stale-other")
    await page.get_by_label("接続端末名").fill("stale-mine")
    await confirm_save(page)
    await expect(page).to_have_url(re.compile(r"/terminals$"))
    await expect(row_of(page, f"{admin.facility}-stale-mine")).to_be_visible()


async def test_the_list_states_empty_and_the_network_gone(
    context: BrowserContext, signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    for terminal in (await admin.get("/terminals")).json():
        gone = await admin.send("DELETE", f"/terminals/{terminal['terminal_id']}")
        assert gone.status_code == 200, gone.text
    await page.goto("/terminals")
    await expect(page.get_by_text("接続端末が登録されていません。")).to_be_visible()

    # A fresh page opens the form (the list not read yet), then the server goes out of reach.
    await page.goto("/terminals/new")
    await expect(page.get_by_role("heading", name="接続端末メンテナンス 新規")).to_be_visible()
    await context.route("**/api/**", cut)
    await page.get_by_role("button", name="戻る").click()
    failed = page.get_by_role("main").get_by_role("alert")
    await expect(failed).to_contain_text("データを読み込めませんでした。", timeout=15_000)
    await context.unroute("**/api/**")
    await create_terminal(admin, "back-online")
    await failed.get_by_role("button", name="再読み込み").click()
    await expect(row_of(page, f"{admin.facility}-back-online")).to_be_visible()
