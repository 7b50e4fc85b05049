"""``bench.ui``'s ログ参照 figures: 端末接続履歴's first rows with a facility of a million
rows, and 「強制切断」 until the connected agent's acknowledgement shows.

The rows are ``bench.audit``'s (its generator and its COPY), loaded into the running
suite's own audit database in the facility the admin signs in to: the page's API call is
audit's real query over them. The agent is the reference one (``fumidai_cli/reference_agent``)
with its credential issued through the admin API and its own default long-poll wait.
"""

import asyncio
import inspect
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import asyncpg
from playwright.async_api import Browser, Page

from bench.audit import CONNECTION_COLUMNS, Plan, connection_rows, copy_in
from bench.ui_browser import (
    first_row_page,
    first_row_painted,
    mark_click,
    new_page,
    since_click,
)
from fumidai_cli.reference_agent.client import AgentClient
from fumidai_cli.reference_agent.runner import JumpHostAgent
from tests.gateway_support import Admin, eventually

MAC = "00-11-22-33-44-55"
REASON = "点検のため"
ACK_TEXT = "端末確認"
"""What アクティブ状態 of a forced close shows once the agent acknowledged it."""
API_POLL_S = 0.025
"""How often the API side reads the row while it waits for the acknowledgement: close
enough for the figure, far from back to back (which would load the services it waits on)."""
AGENT_POLL_WAIT_S: float = inspect.signature(JumpHostAgent).parameters["poll_wait"].default
"""The reference agent's own long-poll wait, what a jump host runs with (not shortened)."""


async def load_connection_log(dsn: str, code: str, rows: int) -> float:
    """``rows`` 端末接続履歴 rows of facility ``code`` over two years, as ``bench.audit``
    loads them (COPY, then the indexes and VACUUM ANALYZE); seconds."""
    plan = Plan(rows=rows, signins=0, facilities=1, export_rows=rows, ingest=0, samples=0, big=code)
    conn = await asyncpg.connect(dsn)
    try:
        batches = connection_rows(plan, datetime.now(UTC), random.Random(7))
        return await copy_in(conn, "connection_log", CONNECTION_COLUMNS, batches)
    finally:
        await conn.close()


async def log_first_rows(
    browser: Browser, url: str, cookie: str, runs: int
) -> tuple[list[float], list[float], str]:
    """Navigation to 端末接続履歴 until its first rows are painted (in the page, and as the
    test driver saw it), a new context (cold cache) each time, after one unmeasured; and
    the API path the page asked for its rows."""
    first: list[float] = []
    observed: list[float] = []
    asked: list[str] = []
    for _ in range(runs + 1):
        page = await first_row_page(browser, url, cookie)
        page.on("request", lambda request: asked.append(request.url))
        await page.goto(f"{url}/logs/connections", wait_until="commit")
        painted, seen = await first_row_painted(page)
        first.append(painted)
        observed.append(seen)
        await page.context.close()
    api = next(u for u in asked if "/api/v1/facilities/" in u and "/logs/connections?" in u)
    return sorted(first[1:]), sorted(observed[1:]), api.removeprefix(url)


@dataclass
class ForceCloseScene:
    """The terminal's reference agent, running, and the user whose sessions it reports."""

    agent: JumpHostAgent
    client: AgentClient
    account: str
    poll_wait_s: float

    async def stop(self) -> None:
        await self.agent.stop()
        await self.client.aclose()


async def connected_agent(admin: Admin, url: str, terminal_id: str) -> ForceCloseScene:
    """A user assigned to the terminal; the terminal's agent credential issued through the
    admin API; the reference agent started on it with its default poll wait."""
    today = date.today()
    body = {
        "name": "bench-close",
        "family_name": "bench",
        "given_name": "close",
        "email": "bench-close@example.jp",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "macs": [MAC],
        "terminals": [terminal_id],
        "file_share": "deny",
    }
    created = await admin.send("POST", "/users", json=body)
    assert created.status_code == 201, created.text
    issued = await admin.send("POST", f"/terminals/{terminal_id}/credentials")
    assert issued.status_code == 201, issued.text
    client = AgentClient(url, issued.json()["token"])
    agent = JumpHostAgent(client)
    info = await agent.start()
    return ForceCloseScene(
        agent,
        client,
        created.json()["user"]["account"],
        min(AGENT_POLL_WAIT_S, info.poll_wait_max_s),
    )


async def live_session(scene: ForceCloseScene, admin: Admin) -> str:
    """A new session of the scene's user, once audit shows it 接続中 through the API."""

    async def allowed() -> str | None:
        decision, live = await scene.agent.connect(scene.account, MAC)
        return live.session_id if live and decision.allowed else None

    # terminals learns of a new user from identity's events: a moment after its creation.
    session_id = await eventually(allowed, timeout=30)
    assert session_id, f"the agent was refused for {scene.account}"

    async def shown() -> bool:
        row = await api_row(admin, scene.account, session_id)
        return bool(row and row["live"])

    assert await eventually(shown, timeout=30), "audit never showed the session live"
    return str(session_id)


async def api_row(
    admin: Admin, account: str, row_id: str, headers: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """The row ``row_id`` of the account's 端末接続履歴 as the admin API answers it."""
    answer = await admin.get(
        "/logs/connections",
        params={"period": "7d", "filter": f"account:{account}", "limit": 50},
        headers=headers or {},
    )
    assert answer.status_code == 200, answer.text
    return next((r for r in answer.json()["rows"] if r["id"] == row_id), None)


async def close_on_page(page: Page, url: str, scene: ForceCloseScene, session_id: str) -> float:
    """OK on the confirmation until the row shows the agent's acknowledgement, painted."""
    await page.goto(f"{url}/logs/connections?filter={quote(f'account:{scene.account}')}")
    row = page.locator(f'tr[data-row-key="{session_id}"]')
    await row.get_by_role("button", name="強制切断").click()
    dialog = page.get_by_role("dialog", name="強制切断")
    await dialog.get_by_label("理由").fill(REASON)
    ok = dialog.get_by_role("button", name="OK")
    await mark_click(ok)
    await ok.click()
    await page.wait_for_function(
        """([id, text]) => {
            const row = document.querySelector(`tr[data-row-key="${id}"]`);
            return !!row && row.textContent.includes(text);
        }""",
        arg=[session_id, ACK_TEXT],
        polling="raf",
        timeout=30_000,
    )
    elapsed = await since_click(page)
    assert "強制切断" in await row.inner_text()
    return elapsed


async def close_by_api(admin: Admin, account: str, session_id: str) -> float:
    """The same close through the admin API until its answers carry the acknowledgement."""
    started = time.perf_counter()
    closed = await admin.send(
        "POST", f"/sessions/{session_id}/force-close", json={"reason": REASON}
    )
    assert closed.status_code == 200, closed.text
    # The first read waits for the close itself, as the page's does (its token).
    headers = {"X-Fumidai-Consistency": closed.json()["consistency_token"]}
    while True:
        row = await api_row(admin, account, session_id, headers)
        if row and row["close_acknowledged_at"]:
            return (time.perf_counter() - started) * 1000
        assert time.perf_counter() - started < 30, f"no acknowledgement: {row}"
        headers = {}
        await asyncio.sleep(API_POLL_S)


async def force_closes(
    browser: Browser, url: str, admin: Admin, scene: ForceCloseScene, runs: int
) -> tuple[list[float], list[float]]:
    """``runs`` closes through the page and as many through the API, taken in turn (a new
    session each), after one of each unmeasured; both ascending, in ms."""
    page = await new_page(browser, url, admin.token)
    on_page: list[float] = []
    by_api: list[float] = []
    try:
        for _ in range(runs + 1):
            session_id = await live_session(scene, admin)
            on_page.append(await close_on_page(page, url, scene, session_id))
            assert session_id in scene.agent.state.cut, "the agent did not cut the session"
            session_id = await live_session(scene, admin)
            by_api.append(await close_by_api(admin, scene.account, session_id))
            assert session_id in scene.agent.state.cut, "the agent did not cut the session"
    finally:
        await page.context.close()
    return sorted(on_page[1:]), sorted(by_api[1:])
