"""Debian's Chromium as the console's tests and screenshots drive it (Playwright, async).

Never a browser Playwright downloads: ``./fumidai test`` installs Debian's ``chromium``
and ``fonts-noto-cjk`` (fumidai_cli/system.py), the browser and fonts a hospital PC has.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
"""No sandbox: the tests run as root in containers; the rest keeps the browser from
calling out of a closed network, as the console itself never does."""

VIEWPORT = {"width": 1366, "height": 768}
"""The screen of the hospital PCs the manual's figures were taken on."""

AXE = Path(__file__).resolve().parents[2] / "ui" / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core from the console's own dev dependencies (its lockfile pins it); nothing from a CDN."""


def chromium_path() -> str:
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: `./fumidai test` installs Debian's chromium and"
            " fonts-noto-cjk (or run `apt-get install chromium fonts-noto-cjk`)"
        )
    return str(CHROMIUM)


async def launch(playwright: Playwright, executable: str) -> Browser:
    return await playwright.chromium.launch(executable_path=executable, args=ARGS)


async def new_context(
    browser: Browser, base_url: str, *, bypass_csp: bool = False
) -> BrowserContext:
    """A fresh profile as a Japanese hospital PC has it; ``bypass_csp`` only to inject axe."""
    context = await browser.new_context(
        base_url=base_url,
        viewport=VIEWPORT,  # type: ignore[arg-type]
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        permissions=["clipboard-read", "clipboard-write"],
        accept_downloads=True,
        reduced_motion="reduce",
        bypass_csp=bypass_csp,
    )
    context.set_default_timeout(10_000)
    return context


VIOLATION_DETAIL = """document.addEventListener('securitypolicyviolation', (e) => {
  const target = e.target instanceof Element ? e.target.outerHTML.slice(0, 200) : String(e.target);
  console.warn(`Content Security Policy violation of ${e.effectiveDirective}: ${target}`
               + ` sample=${e.sample} source=${e.sourceFile}:${e.lineNumber}`);
});
window.addEventListener('error', (e) => {
  const cause = e.error && e.error.cause;
  if (cause) console.error(`uncaught error caused by: ${cause.message || cause}`);
});"""
"""Names the element a violation came from (the console message names only the bundle),
and the cause React wraps a render's error in (its minified message says only a number)."""


@dataclass
class ConsoleWatch:
    """Everything the pages of a context wrote to the console, and their uncaught errors."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def follow(self, context: BrowserContext) -> None:
        """Record every page of ``context``, violations explained by the element."""
        await context.add_init_script(script=VIOLATION_DETAIL)
        for page in context.pages:
            self.attach(page)
        context.on("page", self.attach)

    def attach(self, page: Page) -> None:
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _message(self, message: ConsoleMessage) -> None:
        where = message.location
        self.messages.append(
            f"{message.type}: {message.text} ({message.page.url if message.page else '?'}"
            f" {where.get('url')}:{where.get('lineNumber')}:{where.get('columnNumber')})"
        )

    def problems(self) -> str:
        """The uncaught errors with what the console said about them."""
        return "\n".join([*self.errors, *(m for m in self.messages if "caused by" in m)])

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


async def axe_violations(
    page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[Any]:
    """axe-core's violations of ``impacts`` on the page as it is now (dialogs included).

    The context must bypass the CSP: axe comes in as an inline script, which the console's
    CSP rightly refuses.
    """
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate(
        """async () => await axe.run(document, {
               resultTypes: ['violations'],
               runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                               'best-practice']},
           })"""
    )
    assert result["passes"], "axe-core checked nothing"
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


UNLABELLED_FIELDS = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, [role=combobox], [role=checkbox],'
    + ' [role=switch], [role=radio], [role=spinbutton], [role=textbox]')]
  .filter(e => e.offsetParent !== null || e.getClientRects().length > 0)
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby') && !e.getAttribute('title'))
  .map(e => e.outerHTML.slice(0, 160))"""
"""Visible fields with no label at all (axe checks the names; this says which element)."""


async def unlabelled_fields(page: Page) -> list[str]:
    found: list[str] = await page.evaluate(UNLABELLED_FIELDS)
    return found
