"""「認証連携先」 on the user form in a real browser (SPEC T1, U1; issue 15): the form offers
the facility's current targets; a target the operator retired shows, marked 「（廃止）」,
only on the user who had it, who keeps it when saved and can drop it."""

import re
from datetime import date

from playwright.async_api import Browser, Page, expect

from services.identity.bootstrap import change_federation_targets
from tests.gateway_support import Admin
from tests.ui.browser import axe_violations, new_context, unlabelled_fields
from tests.ui.console_suite import Console, adopt_session
from tests.ui.data import create_user, read_user, user_body

RETIRED = "旧メール"


async def confirm_save(page: Page) -> None:
    await page.get_by_role("button", name="登録").click()
    await page.get_by_role("dialog", name="確認").get_by_role("button", name="OK").click()
    await expect(page).to_have_url(re.compile(r"/users$"))


async def test_the_form_offers_current_targets_and_a_retired_one_only_to_its_holder_T1_U1(
    signed_in: Page, browser: Browser, console: Console, admin: Admin
) -> None:
    identity = console.suite.database_url("identity")
    for name in ("Box", "Teams", RETIRED):
        await change_federation_targets(identity, admin.facility, "pytest-operator", add=name)
    holder = await create_user(
        admin, user_body("fed.holder", 1, date.today(), federation_targets=["Box", RETIRED])
    )
    await change_federation_targets(identity, admin.facility, "pytest-operator", retire=RETIRED)
    page = signed_in

    # A new user: the current targets are offered, the retired one is not.
    await page.goto("/users")
    await page.get_by_role("button", name="新規").click()
    field = page.get_by_role("main").get_by_label("認証連携先")
    await field.click()
    # antd's role=option nodes are an invisible list for screen readers; the mouse uses
    # the visible items.
    offered = page.locator(".ant-select-item-option")
    await expect(offered).to_have_text(["Box", "Teams"])
    await page.keyboard.press("Escape")

    # The holder: shown marked, kept when the form is saved without touching it.
    await page.goto(f"/users/{holder['user_id']}/edit")
    federation = page.get_by_role("region", name="連携サービス情報")
    await expect(federation).to_contain_text(f"{RETIRED}（廃止）")
    await expect(federation).to_contain_text("設定済みのこのユーザーにのみ残せます")
    await page.get_by_label("メールアドレス").fill("kept@example.jp")
    await confirm_save(page)
    assert (await read_user(admin, holder["user_id"]))["federation_targets"] == ["Box", RETIRED]

    # The form with a retired target passes axe and labels every field.
    checked = await new_context(browser, console.url, bypass_csp=True)
    try:
        await adopt_session(checked, console.url, admin)
        scan = await checked.new_page()
        await scan.goto(f"/users/{holder['user_id']}/edit")
        await expect(scan.get_by_role("region", name="連携サービス情報")).to_contain_text(
            f"{RETIRED}（廃止）"
        )
        assert await axe_violations(scan) == []
        assert await unlabelled_fields(scan) == []
    finally:
        await checked.close()

    # Dropped (the last tag, by keyboard), it is gone for good.
    await page.goto(f"/users/{holder['user_id']}/edit")
    field = page.get_by_role("main").get_by_label("認証連携先")
    await expect(federation).to_contain_text(f"{RETIRED}（廃止）")
    await field.focus()
    await field.press("Backspace")
    await expect(federation).not_to_contain_text(RETIRED)
    await page.keyboard.press("Escape")
    await confirm_save(page)
    assert (await read_user(admin, holder["user_id"]))["federation_targets"] == ["Box"]
    await page.goto(f"/users/{holder['user_id']}/edit")
    await page.get_by_role("main").get_by_label("認証連携先").click()
    await expect(page.locator(".ant-select-item-option")).to_have_text(["Box", "Teams"])
