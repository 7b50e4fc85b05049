"""The five services serving the built console, facilities in it, and admins' sessions.

Shared by the browser tests (tests/ui/conftest.py) and the screenshot command
(``python -m tests.ui.screens``).
"""

import itertools
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from playwright.async_api import BrowserContext

from fumidai_cli.ui import ensure_ui
from libs.devservers.smtp import MailCatcher
from libs.devservers.suite import UI_DIST, Suite
from services.identity.bootstrap import reset_admin
from tests.gateway_support import Admin, register, sign_in_admin
from tests.ui.data import seed_manual_style

SESSION_COOKIE = "fumidai_session"


def ensure_built() -> Path:
    """The console built from the current sources (rebuilt only when they changed)."""
    if not ensure_ui() or not (UI_DIST / "index.html").is_file():
        raise RuntimeError(f"the console could not be built into {UI_DIST}; see the line above")
    return UI_DIST


@dataclass(frozen=True)
class Console:
    """The running suite and the address the browser opens."""

    suite: Suite
    url: str
    mail: MailCatcher
    """The SMTP server every service of the suite mails to (fileshare, identity)."""


@dataclass(frozen=True)
class FacilityAdmin:
    """A facility's first admin as ``create_facility`` showed it (initial secrets)."""

    code: str
    domain: str
    account: str
    password: str
    second_password: str


_codes = itertools.count(900)


async def new_facility(suite: Suite) -> FacilityAdmin:
    """A facility of its own (codes 900, 901, …) and its admin, never signed in."""
    code = f"{next(_codes):03d}"
    domain, account, password, second = await register(suite, code)
    return FacilityAdmin(code, domain, account, password, second)


async def api_admin(suite: Suite, facility: FacilityAdmin) -> Admin:
    """The admin's first sign-in through the API (new password, TOTP enrolment)."""
    return await sign_in_admin(
        suite.url("gateway"),
        facility.code,
        facility.account,
        facility.password,
        facility.second_password,
    )


async def seeded_facility(suite: Suite) -> FacilityAdmin:
    """A facility with users in the manual's style, whose admin has a first sign-in ahead.

    The admin fills it through the API, then an operator resets its password and
    authenticator (T4): the next sign-in is a first one again, screens and all.
    """
    facility = await new_facility(suite)
    admin = await api_admin(suite, facility)
    try:
        await seed_manual_style(admin, date.today())
    finally:
        await admin.http.aclose()
    database = suite.database_url("identity")
    reset = await reset_admin(database, facility.account, "pytest-operator", mfa=False)
    await reset_admin(database, facility.account, "pytest-operator", mfa=True)
    assert reset.initial_password is not None
    return replace(facility, password=reset.initial_password)


async def adopt_session(context: BrowserContext, base_url: str, admin: Admin) -> None:
    """Give the browser the admin's session cookie, as if it had signed in itself.

    Sign-in through the screens is tested once (test_signin); every other test starts
    signed in, which a TOTP code usable once per 30 seconds would otherwise make slow.
    """
    await context.add_cookies(
        [
            {
                "name": SESSION_COOKIE,
                "value": admin.token,
                "url": base_url,
                "httpOnly": True,
                "sameSite": "Strict",
            }
        ]
    )
