"""What the parts of ``bench.ui`` share: a browser context holding a session, the painted
frame's time, a click's time, and one client's API timings beside the browser's."""

import json
import time

import httpx
from playwright.async_api import Browser, BrowserContext, Locator, Page

SESSION_COOKIE = "fumidai_session"
FIRST_ROW = "table tbody tr[data-row-key]"
"""A data row of antd's table (its placeholder row for 'no data' carries no key)."""

PAINTED = "() => new Promise(r => requestAnimationFrame(() => r(performance.now())))"
"""The time, from the navigation's start, of the next frame: what is in the DOM is painted."""

PAINTED_WHEN = """([name, selector, text]) => {
    window[name] = new Promise(resolve => {
        const painted = () => setTimeout(() => resolve(performance.now()), 0);
        const seen = () => selector
            ? document.querySelector(selector) !== null
            : (document.body?.textContent || '').includes(text);
        const watch = new MutationObserver(() => {
            if (!seen()) return;
            watch.disconnect();
            requestAnimationFrame(painted);
        });
        watch.observe(document, { childList: true, subtree: true, characterData: true });
    });
}"""
"""Notes in ``window[name]`` when the first element matching ``selector`` (or, without one,
``text``) has been painted: the frame after the mutation that added it is drawn (a rAF in
that frame, then a task after it), on the clock of ``performance.now()`` (from the
navigation's start). In the page, so none of the test driver's round trips (noticing the
row, asking for the time: 100–300 ms on this machine) is in the figure."""

CLICKED = """target => {
    const seen = e => {
        if (!target.contains(e.target)) return;
        document.removeEventListener('click', seen, true);
        window.__clickedAt = e.timeStamp;
    };
    document.addEventListener('click', seen, true);
}"""
"""Notes in ``window.__clickedAt`` when the next click on ``target`` reached the page: the
event's own time, on the clock of ``performance.now()`` (no round trip to Python in it)."""


async def new_context(browser: Browser, url: str, cookie: str) -> BrowserContext:
    """A new context (its own empty cache) carrying the session ``cookie``."""
    context = await browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    await context.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": url}])
    return context


async def new_page(browser: Browser, url: str, cookie: str) -> Page:
    """A page in a new context carrying the session; close it with ``page.context``."""
    return await (await new_context(browser, url, cookie)).new_page()


async def first_row_page(browser: Browser, url: str, cookie: str) -> Page:
    """``new_page`` watching for the first ``FIRST_ROW`` to be painted (``PAINTED_WHEN``)."""
    context = await new_context(browser, url, cookie)
    watched = json.dumps(["__firstRowPainted", FIRST_ROW, None])
    # Installed before the page's own scripts run: the row may come in their first task.
    await context.add_init_script(f"({PAINTED_WHEN})({watched})")
    return await context.new_page()


async def first_row_painted(page: Page) -> tuple[float, float]:
    """When the page painted its first row (in the page), and when the test driver saw it
    (waiting for the selector, then the next frame): ms from the navigation's start."""
    await page.wait_for_selector(FIRST_ROW)
    observed = float(await page.evaluate(PAINTED))
    return float(await page.evaluate("window.__firstRowPainted")), observed


async def mark_click(target: Locator) -> None:
    """Note the next click on ``target`` (see ``CLICKED``)."""
    await target.evaluate(CLICKED)


async def watch_text(page: Page, text: str) -> None:
    """Note when ``text`` is next shown, painted (``PAINTED_WHEN``); before the click."""
    await page.evaluate(PAINTED_WHEN, ["__shownAt", None, text])


async def shown_since_click(page: Page) -> float:
    """Milliseconds from the noted click to the watched text painted, both in the page."""
    shown = float(await page.evaluate("window.__shownAt"))
    return shown - float(await page.evaluate("window.__clickedAt"))


async def since_click(page: Page) -> float:
    """Milliseconds from the noted click to the next frame painted."""
    painted = float(await page.evaluate(PAINTED))
    return painted - float(await page.evaluate("window.__clickedAt"))


async def api_timings(url: str, cookie: str, path: str, runs: int) -> list[float]:
    """One client's answers of ``path`` through the gateway, in ms, ascending (two warm-up
    requests left out)."""
    timings = []
    async with httpx.AsyncClient(base_url=url, cookies={SESSION_COOKIE: cookie}) as http:
        for _ in range(runs + 2):
            started = time.perf_counter()
            answer = await http.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
    return sorted(timings[2:])
