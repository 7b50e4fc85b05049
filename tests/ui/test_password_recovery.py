"""「パスワードを忘れた場合」 in the console (manual 2.0, issue 15, decision 0020), in a real
browser against five real services and a real SMTP server: from the sign-in page's link to
the request's one answer, the mailed link's page (a wrong code refused, the link kept), the
new password with the right code (L1, L2), back to sign-in with it; the used link then says
so. The users' pages (/share/) are the same components; the walk drives them
(tests/ui/recovery_walk.py) for axe, the CSP and the screenshots."""

import time

import httpx
from playwright.async_api import Page, expect

from services.identity.bootstrap import add_facility_admin
from services.identity.messages import MESSAGES
from tests.gateway_support import NEW_PASSWORD, mailed_link, recovery_links, walk_sign_in
from tests.ui.console_suite import Console, FacilityAdmin
from tests.ui.signin import Authenticator

RECOVERED = "Umi-no-soko-2027"
ADDRESS = "forgetful.admin@example.jp"
AGAIN = "もう一度「パスワードを忘れた場合」から手続きする"


async def test_l1_l2_admin_forgot_password_from_the_sign_in_page_to_signing_in_again(
    page: Page, console: Console, facility: FacilityAdmin
) -> None:
    added = await add_facility_admin(
        console.suite.database_url("identity"),
        facility.code,
        "forgetful",
        "忘れ 太郎",
        ADDRESS,
        "pytest-operator",
    )
    totp: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as http:
        await walk_sign_in(
            http,
            "/api/v1/session",
            {"account": added.account, "password": added.initial_password},
            totp,
            added.initial_second_password,
        )
    # The sign-in above used the current step's code: the next one is due (L2).
    app = Authenticator(secret=totp["secret"], last_step=int(time.time()) // 30)

    await page.goto("/signin")
    await page.get_by_role("link", name="パスワードを忘れた場合").click()
    await expect(page).to_have_url(f"{console.url}/forgot-password")
    await expect(page.get_by_role("heading", name="パスワードを忘れた場合")).to_be_visible()
    await page.get_by_role("button", name="送信").click()  # empty: refused in the page
    await expect(page.get_by_text("アカウントを入力してください。")).to_be_visible()
    await page.get_by_label("アカウント").fill(added.account)
    await page.get_by_role("button", name="送信").click()
    await expect(page.get_by_text(MESSAGES["recovery_requested"])).to_be_visible()

    link = await mailed_link(console.mail, ADDRESS)
    assert link.startswith(f"{console.url}/reset-password#token=")
    await page.goto(link)
    await expect(page.get_by_role("heading", name="パスワードの再設定")).to_be_visible()
    await expect(page.get_by_text(added.account)).to_be_visible()

    codes = app.current_codes()
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in codes)
    await page.get_by_label("認証コード").fill(wrong)
    await page.get_by_label("新しいパスワード").fill(RECOVERED)
    await page.get_by_label("パスワードの確認").fill(RECOVERED)
    await page.get_by_role("button", name="パスワードを再設定").click()
    await expect(page.get_by_text(MESSAGES["recovery_totp_invalid"])).to_be_visible()

    # A newer link, asked for meanwhile, replaces this one: the form says so and offers
    # to start again; the newer link works.
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as anon:
        asked = await anon.post(
            "/api/v1/session/password-recovery", json={"account": added.account}
        )
        assert asked.status_code == 202, asked.text
    newer = await mailed_link(console.mail, ADDRESS, 2)
    await page.get_by_label("認証コード").fill(await app.code())
    await page.get_by_role("button", name="パスワードを再設定").click()
    await expect(page.get_by_text(MESSAGES["recovery_link_replaced"])).to_be_visible()
    await expect(page.get_by_role("link", name=AGAIN)).to_be_visible()

    await page.goto(newer)
    await page.reload()  # only the fragment differs: the page reads its token afresh
    await page.get_by_label("認証コード").fill(await app.code())
    await page.get_by_label("新しいパスワード").fill(RECOVERED)
    await page.get_by_label("パスワードの確認").fill(RECOVERED)
    await page.get_by_role("button", name="パスワードを再設定").click()
    await expect(page.get_by_role("heading", name="パスワードを再設定しました")).to_be_visible()
    await page.get_by_role("link", name="ログイン画面へ").click()
    await expect(page.get_by_role("heading", name="メンテナンスツールへのログイン")).to_be_visible()
    await page.get_by_label("アカウント").fill(added.account)
    await page.get_by_label("パスワード", exact=True).fill(NEW_PASSWORD)
    await page.get_by_role("button", name="サインイン").click()
    await expect(page.get_by_text(MESSAGES["signin_failed"])).to_be_visible()
    await page.get_by_label("パスワード", exact=True).fill(RECOVERED)
    await page.get_by_role("button", name="サインイン").click()
    await expect(page.get_by_role("heading", name="コードの確認")).to_be_visible()

    # The used link says what became of it, and offers to start again.
    await page.goto(newer)
    await page.reload()
    await expect(page.get_by_text(MESSAGES["recovery_link_used"])).to_be_visible()
    await expect(page.get_by_role("link", name=AGAIN)).to_be_visible()
    assert len(recovery_links(console.mail, ADDRESS)) == 2


async def test_a_link_without_its_token_says_what_to_do(page: Page) -> None:
    await page.goto("/reset-password")
    await expect(page.get_by_role("alert")).to_contain_text("リンクが正しくありません")
    await page.goto("/share/reset-password#token=unknown-token")
    await expect(page.get_by_text(MESSAGES["recovery_link_unknown"])).to_be_visible()
    await page.get_by_role("link", name="ログイン画面に戻る").click()
    await expect(page.get_by_role("heading", name="ファイル共有へのログイン")).to_be_visible()
