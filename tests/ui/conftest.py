"""Fixtures of the console's browser tests: one suite serving the built console for the whole
folder, a facility per test module, Debian's Chromium, a fresh browser profile per test.

Every page a test opens is watched: an uncaught error fails the test; test_csp fails on
any Content Security Policy violation while it drives every screen.
"""

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from libs.devservers.smtp import MailCatcher
from libs.testing.fileshare_fixtures import ClamdServer
from libs.testing.servers import SessionServers
from tests.gateway_support import Admin, running_suite, sharing_env
from tests.ui.browser import ConsoleWatch, chromium_path, launch, new_context
from tests.ui.console_suite import (
    Console,
    FacilityAdmin,
    adopt_session,
    api_admin,
    ensure_built,
    new_facility,
)


@pytest.fixture(scope="session")
async def console(
    servers: SessionServers, clamd_server: ClamdServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Console]:
    """The five services, the gateway serving ui/dist, on the session's PostgreSQL and NATS."""
    ensure_built()
    with MailCatcher() as mail:
        env = {
            **sharing_env(clamd_server.host, clamd_server.port, mail.host, mail.port),
            # A clamd that stops answering (test_share_flows pauses it) leaves a file 検査待ち
            # after 10 s instead of 300, and the retry loop offers it again every 2 s.
            "FUMIDAI_FILESHARE_CLAMD_TIMEOUT_S": "10",
            "FUMIDAI_FILESHARE_SCAN_RETRY_S": "2",
            # Every browser and API client of the session signs in from 127.0.0.1, a hundred
            # sign-ins and more, several of one admin: the gateway's limits (100 requests per
            # address and 20 per account in 15 minutes; test_sessions.py tests them) would
            # refuse the later ones with 429.
            "FUMIDAI_GATEWAY_SIGNIN_PER_ADDRESS": "100000",
            "FUMIDAI_GATEWAY_SIGNIN_PER_ACCOUNT": "100000",
            # 「パスワードを忘れた場合」's links go to the same catcher (decision 0020).
            "FUMIDAI_IDENTITY_SMTP_HOST": mail.host,
            "FUMIDAI_IDENTITY_SMTP_PORT": str(mail.port),
        }
        async for suite in running_suite(servers, tmp_path_factory.mktemp("ui-logs"), env):
            yield Console(suite, suite.url("gateway"), mail)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    async with async_playwright() as playwright:
        chromium = await launch(playwright, executable)
        yield chromium
        await chromium.close()


@pytest.fixture(scope="module")
async def facility(console: Console) -> FacilityAdmin:
    """A facility of this module's own; its admin has never signed in."""
    return await new_facility(console.suite)


@pytest.fixture(scope="module")
async def admin(console: Console, facility: FacilityAdmin) -> AsyncIterator[Admin]:
    """The facility's admin, signed in once through the API; the browser shares its session."""
    signed_in = await api_admin(console.suite, facility)
    yield signed_in
    await signed_in.http.aclose()


@pytest.fixture
def watch() -> ConsoleWatch:
    """What the test's pages write to the console (test_csp reads its violations)."""
    return ConsoleWatch()


@pytest.fixture
async def context(
    browser: Browser, console: Console, watch: ConsoleWatch
) -> AsyncIterator[BrowserContext]:
    """A fresh profile (1366×768, ja-JP, Asia/Tokyo); an uncaught error in a page fails."""
    fresh = await new_context(browser, console.url)
    await watch.follow(fresh)
    yield fresh
    await fresh.close()
    assert not watch.errors, watch.problems()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


@pytest.fixture
async def signed_in(context: BrowserContext, console: Console, admin: Admin) -> Page:
    """A page of a profile holding the module admin's session."""
    await adopt_session(context, console.url, admin)
    return await context.new_page()
