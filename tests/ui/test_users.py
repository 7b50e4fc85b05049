"""ユーザー一覧, 新規, 編集 and 削除 in a real browser (manual 3.0–3.2; SPEC U1–U5)."""

import re
import time
from datetime import date

import httpx
from playwright.async_api import Browser, Locator, Page, expect

from services.identity.messages import MESSAGES
from tests.gateway_support import Admin, sign_in_user
from tests.ui.browser import new_context
from tests.ui.console_suite import Console, adopt_session
from tests.ui.data import create_user, read_user, user_body


async def open_new_user_form(page: Page) -> None:
    await page.goto("/users")
    await page.get_by_role("button", name="新規").click()
    await expect(page.get_by_role("heading", name="ユーザーメンテナンス 新規")).to_be_visible()


async def confirm_save(page: Page) -> None:
    """「登録」, then 「OK」 in 「確認」 (manual 3.0 (3))."""
    await page.get_by_role("button", name="登録").click()
    confirm = page.get_by_role("dialog", name="確認")
    await expect(confirm).to_contain_text("入力された内容でユーザーを登録します。よろしいですか。")
    await confirm.get_by_role("button", name="OK").click()


async def described_by(field: Locator, expected: str, settle_s: float = 5.0) -> str:
    """The text a field's aria-describedby points at (its error message, beside it), read
    until it is ``expected`` or ``settle_s`` passed: antd fades a replaced message out while
    the new one fades in, so for a moment both are there."""
    page = field.page
    deadline = time.monotonic() + settle_s
    while True:
        ids = await field.get_attribute("aria-describedby") or ""
        texts = [await page.locator(f"[id='{i}']").inner_text() for i in ids.split() if i]
        text = "\n".join(texts)
        if text == expected or time.monotonic() > deadline:
            return text
        await page.wait_for_timeout(100)


async def dialog_values(dialog: Locator) -> dict[str, str]:
    """A Descriptions dialog's rows as label → value."""
    values: dict[str, str] = {}
    for row in await dialog.get_by_role("row").all():
        label, _, value = (await row.inner_text()).partition("\t")
        values[label.strip()] = value.strip()
    return values


async def test_create_shows_the_secrets_once_and_copies_them_as_one_block_U2(
    signed_in: Page, console: Console, admin: Admin
) -> None:
    page = signed_in
    await open_new_user_form(page)
    await page.get_by_label("アカウント", exact=True).fill("yamada.taro")
    await page.get_by_label("姓").fill("山田")
    await page.get_by_label("名", exact=True).fill("太郎")
    await page.get_by_label("メールアドレス").fill("yamada.taro@example.jp")
    await confirm_save(page)

    done = page.get_by_role("dialog", name="ユーザー登録完了")
    await expect(done).to_be_visible()
    shown = await dialog_values(done)
    account = f"{admin.facility}-yamada.taro@h{admin.facility}.example.jp"
    assert shown["アカウント"] == account, shown
    assert len(shown["初期パスワード"]) >= 12 and len(shown["第二パスワード"]) >= 8, shown

    await done.get_by_role("button", name="コピー").click()
    await expect(page.get_by_text("コピーしました。")).to_be_visible()
    copied = await page.evaluate("() => navigator.clipboard.readText()")
    assert copied == (
        f"アカウント: {account}\n"
        f"初期パスワード: {shown['初期パスワード']}\n"
        f"第二パスワード: {shown['第二パスワード']}"
    )
    # What was shown is what the user signs in with (first sign-in, U2).
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as http:
        session = await sign_in_user(
            http,
            {
                "account": account,
                "initial_password": shown["初期パスワード"],
                "second_password": shown["第二パスワード"],
            },
        )
        assert session["account"] == account

    await done.get_by_role("button", name="OK").click()
    await expect(done).to_be_hidden()
    await expect(page).to_have_url(re.compile(r"/users$"))
    row = page.get_by_role("main").get_by_role("row").filter(has_text=account)
    await expect(row).to_be_visible()  # at once: the list reads after the creation

    # Never shown again: not in the form, not anywhere on the list.
    await row.get_by_role("button", name="ユーザー編集").click()
    await expect(page.get_by_role("heading", name="ユーザーメンテナンス 編集")).to_be_visible()
    body = await page.locator("body").inner_text()
    assert shown["初期パスワード"] not in body and shown["第二パスワード"] not in body


async def test_every_field_problem_is_shown_beside_its_field_at_once_U1(
    signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    await create_user(admin, user_body("operation-user01", 1, date.today()))
    await open_new_user_form(page)

    # What the screen checks itself: all at once, before any request.
    await page.get_by_label("アカウント", exact=True).fill("-bad name-")
    await page.get_by_role("button", name="登録").click()
    await expect(page.get_by_text("アカウントは半角英数字と . _ - の60文字以内")).to_be_visible()
    await expect(page.get_by_text("姓を入力してください。")).to_be_visible()
    await expect(page.get_by_text("メールアドレスを入力してください。")).to_be_visible()
    required = "メールアドレスを入力してください。"
    assert await described_by(page.get_by_label("メールアドレス"), required) == required

    # What only the server knows, in its words, beside its field: the address's form …
    await page.get_by_label("アカウント", exact=True).fill("operation-user01")
    await page.get_by_label("姓").fill("operation")
    await page.get_by_label("メールアドレス").fill("not-an-address@")
    await confirm_save(page)
    await expect(page.get_by_text(MESSAGES["email_invalid"]).first).to_be_visible()
    invalid = MESSAGES["email_invalid"]
    assert await described_by(page.get_by_label("メールアドレス"), invalid) == invalid
    # … and, once the rest is right, an account another user has (ignoring case).
    await page.get_by_label("アカウント", exact=True).fill("Operation-User01")
    await page.get_by_label("メールアドレス").fill("someone@example.jp")
    await confirm_save(page)
    await expect(page.get_by_text(MESSAGES["account_taken"]).first).to_be_visible()
    await expect(page.get_by_text(MESSAGES["email_invalid"])).to_have_count(0)
    listed = await admin.get("/users", params={"email": "someone@example.jp"})
    assert listed.json()["items"] == []


async def test_a_second_admin_saving_a_stale_user_is_told_to_reload_U4(
    signed_in: Page, browser: Browser, console: Console, admin: Admin
) -> None:
    user = await create_user(admin, user_body("operation-user02", 2, date.today()))
    edit = f"/users/{user['user_id']}/edit"
    first = signed_in
    other_context = await new_context(browser, console.url)
    await adopt_session(other_context, console.url, admin)
    second = await other_context.new_page()
    try:
        await first.goto(edit)
        await second.goto(edit)
        for page in (first, second):
            await expect(page.get_by_label("メールアドレス")).to_have_value(user["email"])

        await first.get_by_label("メールアドレス").fill("changed.first@example.jp")
        await confirm_save(first)
        await expect(first).to_have_url(re.compile(r"/users$"))

        await second.get_by_label("名", exact=True).fill("second")
        await confirm_save(second)
        stale = second.get_by_role("alert").filter(has_text=MESSAGES["version_conflict"])
        await expect(stale).to_be_visible()
        saved = await read_user(admin, user["user_id"])
        assert saved["given_name"] == "user02"  # nothing overwritten

        await stale.get_by_role("button", name="再読み込み").click()
        await expect(second.get_by_label("メールアドレス")).to_have_value(
            "changed.first@example.jp"
        )
        await second.get_by_label("名", exact=True).fill("second")
        await confirm_save(second)
        await expect(second).to_have_url(re.compile(r"/users$"))
        saved = await read_user(admin, user["user_id"])
        assert (saved["email"], saved["given_name"]) == (
            "changed.first@example.jp",
            "second",
        )
    finally:
        await other_context.close()


async def test_delete_confirms_with_account_name_and_email_U5(
    signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    user = await create_user(
        admin, user_body("operation-user03", 3, date.today(), family_name="削除", given_name="予定")
    )
    await page.goto(f"/users?account={user['name']}")
    row = page.get_by_role("main").get_by_role("row").filter(has_text=user["account"])
    await row.get_by_role("button", name="ユーザー削除").click()

    confirm = page.get_by_role("dialog", name="注意")
    await expect(confirm).to_contain_text("次のユーザーを削除します。よろしいですか。")
    shown = await dialog_values(confirm)
    assert shown == {
        "アカウント": user["account"],
        "ユーザー名": "削除 予定",
        "メールアドレス": user["email"],
    }
    await expect(confirm).to_contain_text("削除したユーザーは、もとに戻すことができません。")
    await confirm.get_by_role("button", name="OK").click()
    await expect(page.get_by_text("ユーザーを削除しました。")).to_be_visible()
    await expect(row).to_be_hidden()
    assert (await admin.get(f"/users/{user['user_id']}")).status_code == 404


async def test_edit_resets_the_second_password_shown_once_the_old_one_refused_U4_F7(
    signed_in: Page, console: Console, admin: Admin
) -> None:
    page = signed_in
    made = await admin.send(
        "POST", "/users", json=user_body("lost.second", 4, date.today(), file_share="always")
    )
    assert made.status_code == 201, made.text
    created = made.json()
    await page.goto(f"/users/{created['user']['user_id']}/edit")
    await expect(page.get_by_label("メールアドレス")).to_have_value(created["user"]["email"])
    # Beside the manual's two resets (3.1), unchecked until the admin checks it.
    resets = (
        "パスワードをリセットする",
        "多要素認証情報をリセットする",
        "第二パスワードをリセットする",
    )
    for name in resets:
        await expect(page.get_by_role("checkbox", name=name, exact=True)).not_to_be_checked()
    await page.get_by_role("checkbox", name="第二パスワードをリセットする").check()
    await confirm_save(page)

    done = page.get_by_role("dialog", name="ユーザー登録完了")
    await expect(done).to_be_visible()
    shown = await dialog_values(done)
    # Only what was reset: the password stays as it was, so none is shown.
    assert set(shown) == {"アカウント", "第二パスワード"}, shown
    assert shown["アカウント"] == created["account"]
    new_second = shown["第二パスワード"]
    assert len(new_second) >= 8 and new_second != created["second_password"]
    await done.get_by_role("button", name="コピー").click()
    await expect(page.get_by_text("コピーしました。")).to_be_visible()
    copied = await page.evaluate("() => navigator.clipboard.readText()")
    assert copied == f"アカウント: {created['account']}\n第二パスワード: {new_second}"

    # The user's file sharing takes the new one only (F7).
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as http:
        session = await sign_in_user(http, created)  # the password is unchanged
        bearer = {"Authorization": f"Bearer {session['session_token']}"}
        for candidate, status in ((created["second_password"], 401), (new_second, 200)):
            answer = await http.post(
                "/user-api/v1/second-password",
                json={"second_password": candidate},
                headers=bearer,
            )
            assert answer.status_code == status, answer.text

    await done.get_by_role("button", name="OK").click()
    await expect(done).to_be_hidden()
    await expect(page).to_have_url(re.compile(r"/users$"))
    await page.goto(f"/users/{created['user']['user_id']}/edit")
    await expect(page.get_by_label("メールアドレス")).to_have_value(created["user"]["email"])
    assert new_second not in await page.locator("body").inner_text()  # never shown again
