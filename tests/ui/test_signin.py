"""Sign-in through the screens (manual 2.0; SPEC L1–L5) in a real browser.

One facility for the module: its admin's first sign-in sets the password and enrols the
authenticator; the later tests sign in with them.
"""

import re
from datetime import timedelta

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, expect

from services.identity.bootstrap import add_facility_admin
from services.identity.messages import MESSAGES
from tests.gateway_support import NEW_PASSWORD, Admin, walk_sign_in
from tests.ui.console_suite import (
    SESSION_COOKIE,
    Console,
    FacilityAdmin,
    adopt_session,
    api_admin,
    new_facility,
)
from tests.ui.sessions_db import age_session
from tests.ui.signin import (
    Authenticator,
    enrol,
    enter_code,
    enter_password,
    enter_second_password,
    set_new_password,
)

SESSION_ENDED = (
    "一定時間操作がなかったため、セッションが終了しました。もう一度ログインしてください。"
)


@pytest.fixture(scope="module")
def app() -> Authenticator:
    """The admin's authenticator app, kept across the module's tests."""
    return Authenticator()


async def test_first_sign_in_through_new_password_and_totp_enrolment_L1_L2_L3(
    page: Page, facility: FacilityAdmin, app: Authenticator
) -> None:
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/signin"))
    await enter_password(page, facility.account, facility.password)

    # L1: the policy is shown, and the server's refusal names each failed rule.
    await expect(page.get_by_text("12〜128文字")).to_be_visible()
    await page.get_by_label("新しいパスワード").fill("short")
    await page.get_by_label("パスワードの確認").fill("short")
    await page.get_by_role("button", name="サインイン").click()
    await expect(page.get_by_text(MESSAGES["password_length"]).first).to_be_visible()
    await set_new_password(page)

    await enrol(page, app)
    await enter_second_password(page, facility.second_password)
    await expect(page).to_have_url(re.compile(r"/users$"))
    await expect(page.get_by_role("heading", name="ユーザー一覧")).to_be_visible()
    banner = page.get_by_role("banner")
    await expect(banner.get_by_text(f"{facility.code}-Test Hospital")).to_be_visible()
    await expect(banner.get_by_role("button", name="ログアウト")).to_be_visible()


async def test_wrong_password_shows_the_servers_message_L4(
    page: Page, facility: FacilityAdmin
) -> None:
    await page.goto("/signin")
    # From the keyboard alone: the account field has the focus, Tab, Enter.
    await expect(page.get_by_label("アカウント")).to_be_focused()
    await page.keyboard.type(facility.account)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("パスワード", exact=True)).to_be_focused()
    await page.keyboard.type(NEW_PASSWORD + "x")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text(MESSAGES["signin_failed"])
    await expect(page.get_by_role("heading", name="メンテナンスツールへのログイン")).to_be_visible()


async def test_wrong_code_then_sign_in_and_idle_expiry_L2_L5(
    console: Console,
    context: BrowserContext,
    page: Page,
    facility: FacilityAdmin,
    app: Authenticator,
) -> None:
    await page.goto("/signin")
    await enter_password(page, facility.account, NEW_PASSWORD)
    await expect(page.get_by_role("heading", name="コードの確認")).to_be_visible()
    wrong = next(c for c in ("000000", "111111", "222222") if c not in app.current_codes())
    await page.get_by_label("確認コード").fill(wrong)
    await page.get_by_role("button", name="次へ").click()
    await expect(page.get_by_role("alert")).to_contain_text(MESSAGES["totp_invalid"])

    await enter_code(page, app)
    await enter_second_password(page, facility.second_password)
    await expect(page.get_by_role("heading", name="ユーザー一覧")).to_be_visible()

    # L5: 31 minutes without a request, then a click: back to sign-in, saying why.
    cookie = next(c for c in await context.cookies() if c["name"] == SESSION_COOKIE)
    await age_session(console.suite.database_url("gateway"), cookie["value"], timedelta(minutes=31))
    await page.get_by_role("navigation").get_by_text("出力一覧").click()
    await expect(page).to_have_url(re.compile(r"/signin\?reason=expired"))
    await expect(page.get_by_text(SESSION_ENDED)).to_be_visible()
    await expect(page.get_by_label("アカウント")).to_be_visible()


async def test_the_header_names_the_admin_by_its_own_name_T4(
    console: Console, context: BrowserContext
) -> None:
    """Issue 15: an admin added with its 氏名 is named so in the header (Shell.tsx shows the
    session's ``display_name``), not by its account's name part."""
    other = await new_facility(console.suite)
    added = await add_facility_admin(
        console.suite.database_url("identity"),
        other.code,
        "hanako",
        "山田 花子",
        "hanako@example.jp",
        "pytest-operator",
    )
    http = httpx.AsyncClient(base_url=console.url, timeout=30)
    try:
        session = await walk_sign_in(
            http,
            "/api/v1/session",
            {"account": added.account, "password": added.initial_password},
            {},
            added.initial_second_password,
        )
        token = http.cookies[SESSION_COOKIE]
    finally:
        await http.aclose()
    admin = Admin(http, other.code, added.account, session["csrf_token"], token)
    await adopt_session(context, console.url, admin)
    page = await context.new_page()
    await page.goto("/users")
    banner = page.get_by_role("banner")
    await expect(banner.get_by_label("ログイン中の管理者")).to_contain_text("山田 花子")
    await expect(banner.get_by_text(f"{other.code}-Test Hospital")).to_be_visible()


async def test_sign_out_returns_to_sign_in_L5(console: Console, context: BrowserContext) -> None:
    other = await new_facility(console.suite)  # its own session: sign-out revokes it
    admin = await api_admin(console.suite, other)
    await adopt_session(context, console.url, admin)
    page = await context.new_page()
    await page.goto("/users")
    await page.get_by_role("button", name="ログアウト").click()
    await expect(page.get_by_text("ログアウトしました。")).to_be_visible()
    assert (await admin.get("/users")).status_code == 401
    await page.goto("/users")
    await expect(page).to_have_url(re.compile(r"/signin"))
    await admin.http.aclose()
