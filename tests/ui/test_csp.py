"""The console under its own Content Security Policy (docs/decisions/0008): driven through
every screen and dialog in a normal profile, the browser reports no violation — antd's
injected styles carry the nonce the gateway put in index.html, and nothing else is inline."""

from playwright.async_api import BrowserContext, Page

from tests.ui.browser import ConsoleWatch
from tests.ui.console_suite import Console, seeded_facility
from tests.ui.screens import STOPS
from tests.ui.signin import Authenticator
from tests.ui.walk import settle, walk


async def test_no_content_security_policy_violation_on_any_screen_or_dialog(
    console: Console, context: BrowserContext, page: Page, watch: ConsoleWatch
) -> None:
    facility = await seeded_facility(console.suite)
    visited: list[str] = []

    async def look(name: str) -> None:
        await settle(page)
        visited.append(name)

    await walk(page, facility, Authenticator(), look, console.mail)
    response = await page.request.get("/users")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "style-src 'self' 'nonce-" in policy, policy
    assert visited == list(STOPS), "the walk's stops changed: update tests/ui/screens.py"
    assert not watch.csp_violations(), "\n".join(watch.csp_violations())
