"""「パスワードを忘れた場合」 in the walk (manual 2.0, decision 0020), at its very end: the user
the walk created asks on /share/ for a link, opens the mailed link and sets a new password
with its authenticator's code. The console's pages are the same components on the admin API
(tests/ui/test_password_recovery.py drives them)."""

from playwright.async_api import Page, expect

from libs.devservers.smtp import MailCatcher
from tests.gateway_support import mailed_link, recovery_links
from tests.ui.signin import Authenticator, Stop

RECOVERED = "Tsuki-no-hikari-2027"
ADDRESS = "yamada.taro@example.jp"
"""The created user's address (walk.users_screens)."""


async def recovery_screens(
    page: Page, account: str, app: Authenticator, stop: Stop, mail: MailCatcher
) -> None:
    """The request form, its one answer, the link's page and its success."""
    await page.goto("/share/forgot-password")
    await expect(page.get_by_role("heading", name="パスワードを忘れた場合")).to_be_visible()
    await page.get_by_label("アカウント").fill(account)
    await stop("share-forgot-password")
    earlier = len(recovery_links(mail, ADDRESS))
    await page.get_by_role("button", name="送信").click()
    await expect(page.get_by_role("heading", name="メールを確認してください")).to_be_visible()
    await stop("share-forgot-password-sent")

    await page.goto(await mailed_link(mail, ADDRESS, earlier + 1))
    await expect(page.get_by_role("heading", name="パスワードの再設定")).to_be_visible()
    await expect(page.get_by_text(account)).to_be_visible()
    await page.get_by_label("認証コード").fill(await app.code())
    await page.get_by_label("新しいパスワード").fill(RECOVERED)
    await page.get_by_label("パスワードの確認").fill(RECOVERED)
    await stop("share-reset-password")
    await page.get_by_role("button", name="パスワードを再設定").click()
    await expect(page.get_by_role("heading", name="パスワードを再設定しました")).to_be_visible()
    await stop("share-reset-password-done")
