"""Screenshots of every screen and dialog at 1366×768 into docs/screens/ — the manual's
figures, ours. One command: ``.venv/bin/python -m tests.ui.screens``.

It starts a suite of its own (embedded PostgreSQL and NATS, clamd and a mail catcher when
installed, the five services serving ui/dist), fills facility 998 with the demo data of
``./fumidai up``, signs its admin in for the first time in Debian's Chromium and walks
every screen (tests/ui/walk.py). The PNGs and docs/screens/README.md are rewritten whole.
The same walk runs in test_accessibility and test_csp; test_csp checks that STOPS names
exactly the walk's screens, so this catalogue cannot drift from the app.
"""

import asyncio
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from playwright.async_api import Page, async_playwright

from fumidai_cli.demo import DEMO_FACILITY, ensure_demo
from libs.devservers.fileshare import FileshareServers
from libs.devservers.smtp import MailCatcher
from libs.devservers.suite import Suite
from libs.testing.servers import session_servers
from tests.gateway_support import running_suite
from tests.ui.browser import chromium_path, launch, new_context
from tests.ui.console_suite import FacilityAdmin, ensure_built
from tests.ui.signin import Authenticator
from tests.ui.walk import settle, walk

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"

STOPS: dict[str, tuple[str, str]] = {
    "signin": ("メンテナンスツールへのログイン: アカウントとパスワード", "2.0 (3)(4)"),
    "signin-new-password": ("パスワードの更新: 条件を入力しながら確認", "2.0 (5)"),
    "signin-totp-enrol": ("アカウントのセキュリティ保護: QR コード、手入力用のキー、確認コード", "2.0 (6)–(15)"),
    "signin-second-password": ("第二パスワードの入力", "2.0 (17)"),
    "users": ("ユーザー一覧: 検索条件、失効、並べ替え、ページ", "3.0 (1)"),
    "user-new": ("ユーザーメンテナンス 新規", "3.0 (2)"),
    "user-new-errors": ("新規: 入力の誤りを各項目の横に一度に表示", "3.0 (2)"),
    "user-new-confirm": ("確認: 入力された内容でユーザーを登録します", "3.0 (3)"),
    "user-created": ("ユーザー登録完了: アカウント、初期パスワード、第二パスワードと「コピー」", "3.0 (4)"),
    "user-edit": ("ユーザーメンテナンス 編集", "3.1 (2)"),
    "user-edit-stale": ("編集: 他の管理者が先に更新したときの再読み込み", "3.1 (3)"),
    "user-delete": ("注意: アカウント、ユーザー名、メールアドレスを示して削除の確認", "3.2"),
    "users-end-date": ("有効終了日一括登録: 日付と対象ユーザー", "3.4"),
    "users-end-date-results": ("有効終了日一括登録: ユーザーごとの結果", "3.4"),
    "users-export-confirm": ("全件CSV出力の確認", "3.3 (1)"),
    "users-export-queued": ("全件CSV出力を受け付けました", "3.3 (1)"),
    "users-import": ("一括登録: ファイルの選択またはドラッグ＆ドロップ", "3.3 (4)"),
    "users-import-result": ("一括登録: 件数と結果CSV", "3.3 (5)"),
    "jobs": ("出力一覧: ステータス、有効期間、ダウンロード", "3.3 (2)"),
    "terminals": ("接続端末一覧: 接続端末名、ユーザー数", "3.5 (1)"),
    "terminal-new": ("接続端末メンテナンス 新規: 接続端末名とユーザー選択", "3.5 (2)"),
    "terminal-new-confirm": ("確認: 入力された内容で接続端末を登録します", "3.5 (3)"),
    "terminal-edit": ("接続端末メンテナンス 編集: ユーザー選択とエージェント認証情報", "3.6 (2)"),
    "terminal-credential-issued": ("エージェント認証情報の発行: トークンは一度だけ表示、「コピー」", "—"),
    "terminal-delete": ("注意: 接続端末の削除と接続中のセッションの終了", "3.7 (2)"),
    "logs": ("ログ参照: 端末接続履歴、ログインログ、ファイル共有、操作ログ", "3.8 (2)"),
    "logs-period": ("ログ参照: 期間（過去7日間、過去24時間、カスタム期間）", "3.8 (3)"),
    "logs-filter": ("ログ参照: フィルター選択", "3.8 (4)"),
    "shares-upload": ("ファイル共有 アップロード: 共有先ユーザー、ファイル、共有目的と注意", "3.9 (1)"),
    "shares-download": ("ファイル共有 ダウンロード: 検査結果、脅威なしのファイル名はリンク", "3.9 MEMO"),
    "shares-approvals": ("ファイル共有 承認: 承認後に許可のユーザーの共有、承認と否認", "3.9 (2)(3)"),
    "facility": ("施設情報: 施設の設定（参照のみ）", "—"),
    "signin-signed-out": ("ログアウトしました", "—"),
    "signin-expired": ("一定時間操作がなかったため、セッションが終了しました", "—"),
    "signin-totp": ("コードの確認: 登録済みの認証アプリのコード", "2.0"),
    "share-signin": ("ファイル共有へのログイン: 利用者のアカウントとパスワード", "—"),
    "share-second-password": ("ファイル共有: 第二パスワードの入力（10分ごと）", "—"),
    "share-page": ("ファイル共有: アップロード、共有したファイル、受け取ったファイル", "—"),
    "share-forgot-password": ("パスワードを忘れた場合: アカウントを入力して再設定用のリンクを依頼", "2.0 (4)"),
    "share-forgot-password-sent": ("パスワードを忘れた場合: どのアカウントにも同じ答え", "2.0 (4)"),
    "share-reset-password": ("パスワードの再設定: メールのリンクから、認証コードと新しいパスワード", "2.0 (4)"),
    "share-reset-password-done": ("パスワードを再設定しました: ログイン画面へ", "2.0 (4)"),
}  # fmt: skip
"""Each stop of the walk, in order: what it shows, and the manual's section it matches."""


def file_name(index: int, stop: str) -> str:
    return f"{index:02d}-{stop}.png"


def readme() -> str:
    lines = [
        "# Screens of the admin console",
        "",
        "Every screen and dialog at 1366×768, in the order an admin meets them — the figures of",
        "the maintenance tool's manual (section in the last column), as this console draws",
        "them with the demo data of `./fumidai up`. Made by one command, which rewrites this",
        "folder: `.venv/bin/python -m tests.ui.screens` (tests/ui/screens.py).",
        "",
        "| | Screen | Manual |",
        "|---|---|---|",
    ]
    for index, (stop, (title, section)) in enumerate(STOPS.items(), start=1):
        name = file_name(index, stop)
        lines.append(f"| [{name}]({name}) | {title} | {section} |")
    return "\n".join(lines) + "\n"


@asynccontextmanager
async def demo_suite(state: Path) -> AsyncIterator[tuple[Suite, MailCatcher]]:
    """The five services on private servers, with file sharing's clamd and the mail catcher
    every service mails to."""
    extras = FileshareServers(state, say)
    with contextmanager(session_servers)(state) as servers:
        try:
            env = extras.start()
            assert extras.mail is not None
            async for suite in running_suite(servers, state / "logs", env):
                yield suite, extras.mail
        finally:
            extras.stop()


def say(text: str) -> None:
    print(f"screens: {text}", file=sys.stderr, flush=True)


async def shoot(state: Path, out: Path) -> list[str]:
    """Facility 998 with the demo data, and the walk's screenshots of it."""
    async with demo_suite(state) as (suite, mail):
        demo = await ensure_demo(suite, state, say, empty=False)
        admin = FacilityAdmin(
            DEMO_FACILITY.code,
            DEMO_FACILITY.domain,
            demo.account,
            demo.password,
            demo.second_password,
        )
        return await walk_and_shoot(suite.url("gateway"), admin, out, mail)


async def walk_and_shoot(url: str, admin: FacilityAdmin, out: Path, mail: MailCatcher) -> list[str]:
    written: list[str] = []
    async with async_playwright() as playwright:
        browser = await launch(playwright, chromium_path())
        context = await new_context(browser, url)
        page: Page = await context.new_page()

        async def screenshot(stop: str) -> None:
            await settle(page)
            name = file_name(len(written) + 1, stop)
            await page.screenshot(path=out / name, animations="disabled", caret="hide")
            written.append(name)

        await walk(page, admin, Authenticator(), screenshot, mail)
        await browser.close()
    return written


def main() -> int:
    SCREENS.mkdir(parents=True, exist_ok=True)
    for old in SCREENS.glob("[0-9][0-9]-*.png"):
        old.unlink()
    ensure_built()
    state = Path(tempfile.mkdtemp(prefix="fumidai-screens-"))
    state.chmod(0o755)  # PostgreSQL runs as its own user when we are root
    try:
        written = asyncio.run(shoot(state, SCREENS))
    finally:
        shutil.rmtree(state, ignore_errors=True)
    expected = [file_name(i, stop) for i, stop in enumerate(STOPS, start=1)]
    (SCREENS / "README.md").write_text(readme())
    if written != expected:
        print(f"screens: the walk's stops changed: {written} != {expected}", file=sys.stderr)
        return 1
    print(f"screens: {len(written)} screenshots in {SCREENS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
