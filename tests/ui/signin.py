"""Signing in through the screens (manual 2.0), as an admin with an authenticator app would."""

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pyotp
from playwright.async_api import Page, expect

from tests.gateway_support import NEW_PASSWORD
from tests.ui.console_suite import FacilityAdmin

Stop = Callable[[str], Awaitable[None]]
"""Called at each screen worth a look (a screenshot, an accessibility scan) with its name."""


async def no_stop(_: str) -> None:
    return None


@dataclass
class Authenticator:
    """The admin's authenticator app: the secret read off the enrolment screen."""

    secret: str = ""
    last_step: int = -1

    async def code(self) -> str:
        """A code of a step not used yet (L2: each code is accepted once, ±1 step)."""
        step = max(int(time.time()) // 30, self.last_step + 1)
        while step > int(time.time()) // 30 + 1:
            await asyncio.sleep(1)
        self.last_step = step
        return str(pyotp.TOTP(self.secret).at(step * 30))

    def current_codes(self) -> set[str]:
        """Every code the server would accept now (±1 step), used or not."""
        now = int(time.time()) // 30
        return {str(pyotp.TOTP(self.secret).at(s * 30)) for s in (now - 1, now, now + 1)}


async def enter_password(page: Page, account: str, password: str, stop: Stop = no_stop) -> None:
    await expect(page.get_by_role("heading", name="メンテナンスツールへのログイン")).to_be_visible()
    await page.get_by_label("アカウント").fill(account)
    await page.get_by_label("パスワード", exact=True).fill(password)
    await stop("signin")
    await page.get_by_role("button", name="サインイン").click()


async def set_new_password(page: Page, stop: Stop = no_stop) -> None:
    """「パスワードの更新」 (L1): the policy listed, the new password twice."""
    await expect(page.get_by_role("heading", name="パスワードの更新")).to_be_visible()
    await page.get_by_label("新しいパスワード").fill(NEW_PASSWORD)
    await page.get_by_label("パスワードの確認").fill(NEW_PASSWORD)
    await stop("signin-new-password")
    await page.get_by_role("button", name="サインイン").click()


async def enrol(page: Page, app: Authenticator, stop: Stop = no_stop) -> None:
    """「アカウントのセキュリティ保護」 (L2): the QR code, and the key typed into the app."""
    await expect(page.get_by_role("heading", name="アカウントのセキュリティ保護")).to_be_visible()
    await expect(page.get_by_role("img", name="認証アプリに登録する QR コード")).to_be_visible()
    app.secret = await page.get_by_label("セットアップキー").input_value()
    assert len(app.secret) >= 16, app.secret
    await page.get_by_label("確認コード").fill(await app.code())
    await stop("signin-totp-enrol")
    await page.get_by_role("button", name="次へ").click()


async def enter_code(page: Page, app: Authenticator, stop: Stop = no_stop) -> None:
    """「コードの確認」 (L2) of an enrolled authenticator."""
    await expect(page.get_by_role("heading", name="コードの確認")).to_be_visible()
    await page.get_by_label("確認コード").fill(await app.code())
    await stop("signin-totp")
    await page.get_by_role("button", name="次へ").click()


async def enter_second_password(page: Page, second: str, stop: Stop = no_stop) -> None:
    """「第二パスワードの入力」, then 「ログイン」 (L3)."""
    await expect(page.get_by_role("heading", name="第二パスワードの入力")).to_be_visible()
    await page.get_by_label("第二パスワード").fill(second)
    await stop("signin-second-password")
    await page.get_by_role("button", name="ログイン").click()


async def first_sign_in(
    page: Page, admin: FacilityAdmin, app: Authenticator, stop: Stop = no_stop
) -> None:
    """From the initial password to ユーザー一覧 (L1–L3)."""
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/signin"))
    await enter_password(page, admin.account, admin.password, stop)
    await set_new_password(page, stop)
    await enrol(page, app, stop)
    await enter_second_password(page, admin.second_password, stop)
    await expect(page.get_by_role("heading", name="ユーザー一覧")).to_be_visible()


async def sign_in(
    page: Page, admin: FacilityAdmin, app: Authenticator, stop: Stop = no_stop
) -> None:
    """A later sign-in: password, code, second password."""
    await enter_password(page, admin.account, NEW_PASSWORD, stop)
    await enter_code(page, app, stop)
    await enter_second_password(page, admin.second_password, stop)
    await expect(page.get_by_role("heading", name="ユーザー一覧")).to_be_visible()
