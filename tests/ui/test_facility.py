"""施設情報 (SPEC T1, L1; issue 15): the admin reads its facility's settings, read-only, as
an operator last set them; loading and failure said plainly."""

from playwright.async_api import BrowserContext, Locator, Page, Route, expect

from services.identity.bootstrap import change_federation_targets, change_settings
from services.identity.domain.facility import ChangeFacilitySettings, PasswordExpiry
from tests.ui.console_suite import Console, FacilityAdmin


def value_of(page: Page, label: str) -> Locator:
    """The cell next to ``label`` in 施設情報's table."""
    row = page.get_by_role("main").get_by_role("row").filter(has_text=label)
    return row.get_by_role("cell").last


async def test_t1_facility_info_shows_every_setting_and_follows_an_operators_change(
    signed_in: Page, console: Console, facility: FacilityAdmin
) -> None:
    page = signed_in
    await page.goto("/users")
    await page.get_by_role("navigation").get_by_role("link", name="施設情報").click()
    await expect(page.get_by_role("heading", name="施設情報", level=1)).to_be_visible()
    main = page.get_by_role("main")
    await expect(
        main.get_by_text("変更が必要な場合は運用担当者に依頼してください。")
    ).to_be_visible()
    expected = {
        "施設名": f"{facility.code}-Test Hospital",
        "施設コード": facility.code,
        "ドメイン": facility.domain,
        "タイムゾーン": "Asia/Tokyo",
        "ダウンロード期間": "3か月",
        "院内ネットワーク": "未設定",
        "通知先メールアドレス": "未設定",
        "パスワードの有効期間": "無期限",
        "認証連携先": "登録されていません",
    }
    for label, text in expected.items():
        await expect(value_of(page, label)).to_have_text(text)
    await expect(main.get_by_role("textbox")).to_have_count(0)  # nothing to edit here

    url = console.suite.database_url("identity")
    await change_settings(
        url,
        ChangeFacilitySettings(
            code=facility.code,
            name=f"{facility.code}-新病院",
            time_zone="Europe/London",
            download_period_months=12,
            internal_networks=("10.0.0.0/8", "192.168.1.0/24"),
            notification_addresses=("desk@example.jp",),
            password_expiry=PasswordExpiry(90),
        ),
        "pytest-operator",
    )
    for name in ("Box", "Microsoft 365"):
        await change_federation_targets(url, facility.code, "pytest-operator", add=name)
    await change_federation_targets(url, facility.code, "pytest-operator", retire="Box")
    await page.reload()
    changed = {
        "施設名": f"{facility.code}-新病院",
        "タイムゾーン": "Europe/London",
        "ダウンロード期間": "12か月",
        "院内ネットワーク": "10.0.0.0/8192.168.1.0/24",
        "通知先メールアドレス": "desk@example.jp",
        "パスワードの有効期間": "90日",
        "認証連携先": "Box（廃止）Microsoft 365",
    }
    for label, text in changed.items():
        await expect(value_of(page, label)).to_have_text(text)
    networks = value_of(page, "院内ネットワーク").get_by_role("listitem")
    await expect(networks).to_have_count(2)
    # The header shows the facility's name as it is now.
    await expect(page.get_by_role("banner").get_by_text(f"{facility.code}-新病院")).to_be_visible()


async def cut(route: Route) -> None:
    await route.abort("internetdisconnected")


async def test_facility_info_says_when_it_cannot_be_read_and_tries_again(
    context: BrowserContext, signed_in: Page, facility: FacilityAdmin
) -> None:
    page = signed_in
    await context.route("**/api/v1/facilities/*", cut)  # only 施設情報's own request
    await page.goto("/facility")
    await expect(page.get_by_role("heading", name="施設情報", level=1)).to_be_visible()
    failed = page.get_by_role("main").get_by_role("alert")
    await expect(failed).to_contain_text("データを読み込めませんでした。", timeout=15_000)
    await context.unroute("**/api/v1/facilities/*")
    await failed.get_by_role("button", name="再読み込み").click()
    await expect(value_of(page, "施設コード")).to_have_text(facility.code)
