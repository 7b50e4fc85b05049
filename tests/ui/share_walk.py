"""The users' page 「ファイル共有」 (/share/) in the walk: the user the walk created signs in
for the app ファイル共有, gives the second password, and sees the page (SPEC F1, F7)."""

from dataclasses import dataclass

from playwright.async_api import FilePayload, Locator, Page, expect

from tests.gateway_support import NEW_PASSWORD
from tests.ui.signin import Authenticator, Stop, enrol, no_stop


@dataclass(frozen=True)
class CreatedUser:
    """What 「ユーザー登録完了」 showed once: the account and its two secrets."""

    account: str
    initial_password: str
    second_password: str


async def share_screens(page: Page, user: CreatedUser, stop: Stop) -> Authenticator:
    """Sign-in (the admin's steps on the user API), the second password, the page; the
    user's authenticator."""
    app = Authenticator()
    await sign_in_to_share(page, user, stop, app)

    # Files chosen, the purpose left empty: what the browser refuses before sending.
    await expect(page.get_by_text("共有したファイルはありません。")).to_be_visible()
    await page.locator("input[type=file]").set_input_files(
        [
            FilePayload(name="電子カルテログ.txt", mimeType="text/plain", buffer=b"log\n" * 999),
            FilePayload(name="調査メモ.txt", mimeType="text/plain", buffer=b"memo\n" * 99),
        ]
    )
    await page.get_by_role("button", name="アップロード", exact=True).click()
    await expect(page.get_by_role("alert").filter(has_text="共有目的を入力")).to_be_visible()
    await stop("share-page")
    return app


async def sign_in_to_share(
    page: Page, user: CreatedUser, stop: Stop = no_stop, app: Authenticator | None = None
) -> None:
    """A user's first sign-in at /share/: the initial password, a new one, the enrolment,
    then the second password the page asks for itself (L1–L3, F7)."""
    await page.goto("/share/signin")
    await expect(page.get_by_role("heading", name="ファイル共有へのログイン")).to_be_visible()
    await stop("share-signin")
    await page.get_by_label("アカウント").fill(user.account)
    await page.get_by_label("パスワード", exact=True).fill(user.initial_password)
    await page.get_by_role("button", name="サインイン").click()
    await expect(page.get_by_role("heading", name="パスワードの更新")).to_be_visible()
    await page.get_by_label("新しいパスワード").fill(NEW_PASSWORD)
    await page.get_by_label("パスワードの確認").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="サインイン").click()
    await enrol(page, app or Authenticator())

    dialog = page.get_by_role("dialog", name="第二パスワードの入力")
    await expect(dialog).to_be_visible()
    await stop("share-second-password")
    await dialog.get_by_label("第二パスワード").fill(user.second_password)
    await dialog.get_by_role("button", name="確認").click()
    await expect(dialog).to_be_hidden()


async def upload_at_share(page: Page, files: list[FilePayload], purpose: str) -> None:
    """Files chosen, 「共有目的」, 「アップロード」; returns once the page says it is done."""
    await page.locator("input[type=file]").set_input_files(files)
    await page.get_by_label("共有目的").fill(purpose)
    await page.get_by_role("button", name="アップロード", exact=True).click()
    await expect(page.get_by_text("アップロードしました。", exact=False)).to_be_visible(
        timeout=60_000
    )


def my_share(page: Page, file_name: str) -> Locator:
    """The row of 「共有したファイル」 holding ``file_name``."""
    card = page.locator(".ant-card").filter(
        has=page.get_by_role("heading", name="共有したファイル")
    )
    return card.get_by_role("row").filter(has_text=file_name)
