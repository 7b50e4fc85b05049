"""A steady mixed load on the local cluster, and what its clients saw (decision 0040).

Agents decide, start and end sessions; an admin creates users and edits them; a user
uploads files. Every request goes to one of the two gateways in turn, as a load balancer
would send it; a refused connection is sent to the other gateway (nothing was sent). A
request that failed otherwise (a 5xx, a broken connection) is counted under its kind, and
the client retries what it may: an edit again until it answers (a 409 then means the first
attempt was applied), a session's end until it ends. What a client was told succeeded is
kept, so the accounting can check that nothing acknowledged is missing.
"""

import asyncio
import contextlib
import itertools
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from libs.devservers.suite import Suite
from services.identity.bootstrap import create_facility
from services.identity.domain.facility import RegisterFacility
from tests.gateway_support import Admin, post_user_share, sign_in_admin, user_ready_to_share

AGENTS = 3
"""Agents deciding, starting and ending sessions at once, each as its own user."""
PAUSE_S = 0.05
"""Between one client's requests: a steady load the 2-core machine carries beside the faults."""


@dataclass
class World:
    """What the load runs with: the facility's admin, terminal credential, users."""

    gateways: list[str]
    admin: Admin
    terminal_id: str
    agent_token: str
    users: list[dict[str, Any]]
    """Users allowed on the terminal: account and MAC."""
    sharer: dict[str, str]
    """The bearer header of a user session that may share files."""


@dataclass
class Ledger:
    """What the clients saw: failures by kind, and what they were told was done."""

    stop: asyncio.Event = field(default_factory=asyncio.Event)
    """Set: each client finishes what it is in the middle of (a session's end) and stops."""
    failed: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    """How the failed requests failed: ``503``, ``500``, ``connection`` …"""
    done: Counter[str] = field(default_factory=Counter)
    decisions: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)
    shares: set[str] = field(default_factory=set)


class Client:
    """httpx clients to both gateways, taken in turn; a refused connection tries the other."""

    def __init__(self, gateways: Sequence[str], ledger: Ledger, cookies: Any = None) -> None:
        self._http = [httpx.AsyncClient(base_url=g, timeout=15, cookies=cookies) for g in gateways]
        self._turn = itertools.cycle(range(len(gateways)))
        self._ledger = ledger

    async def request(self, kind: str, method: str, path: str, **kw: Any) -> httpx.Response | None:
        """The answer, or None when the request failed (counted under ``kind``)."""
        first = next(self._turn)
        order = [first, *(i for i in range(len(self._http)) if i != first)]
        for index in order:
            try:
                answer = await self._http[index].request(method, path, **kw)
            except httpx.ConnectError:
                continue  # refused: nothing was sent, the other gateway may take it
            except httpx.HTTPError as error:
                self._ledger.answers[type(error).__name__] += 1
                break
            if answer.status_code >= 500:
                self._ledger.answers[str(answer.status_code)] += 1
                break
            self._ledger.done[kind] += 1
            return answer
        self._ledger.failed[kind] += 1
        return None

    async def aclose(self) -> None:
        for http in self._http:
            await http.aclose()


async def agent_loop(world: World, ledger: Ledger, user: dict[str, Any]) -> None:
    client = Client(world.gateways, ledger)
    auth = {"Authorization": f"Bearer {world.agent_token}"}
    try:
        while not ledger.stop.is_set():
            await asyncio.sleep(PAUSE_S)
            body = {"account": user["account"], "mac": user["mac"]}
            decided = await client.request(
                "decide", "POST", "/agent/v1/decisions", json=body, headers=auth
            )
            if decided is None or decided.status_code != 200:
                continue
            decision = decided.json()
            ledger.decisions.add(decision["decision_id"])
            if not decision["allowed"]:
                continue
            started = await client.request(
                "start",
                "POST",
                "/agent/v1/sessions",
                json={"decision_id": decision["decision_id"]},
                headers=auth,
            )
            if started is None or started.status_code not in (200, 201):
                continue
            session_id = started.json()["session_id"]
            ledger.sessions.add(session_id)
            # Ending is retried until it answers: a session must never be left live.
            while (
                await client.request(
                    "end", "POST", f"/agent/v1/sessions/{session_id}/end", headers=auth
                )
            ) is None:
                await asyncio.sleep(0.5)
    finally:
        await client.aclose()


def new_user_body(name: str) -> dict[str, Any]:
    today = date.today()
    return {
        "name": name,
        "family_name": "負荷",
        "given_name": "試験",
        "email": f"{name}@example.jp",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "macs": [],
        "terminals": [],
        "file_share": "deny",
    }


async def admin_loop(world: World, ledger: Ledger) -> None:
    client = Client(world.gateways, ledger, cookies=world.admin.http.cookies)
    headers = {"X-CSRF-Token": world.admin.csrf}
    base = world.admin.path("/users")
    try:
        while not ledger.stop.is_set():
            await asyncio.sleep(PAUSE_S * 4)
            body = new_user_body(f"load{secrets.token_hex(4)}")
            made = await client.request("create_user", "POST", base, json=body, headers=headers)
            if made is None or made.status_code != 201:
                continue
            user = made.json()["user"]
            ledger.users.add(user["user_id"])
            edit = {**body, "given_name": "編集", "version": user["version"]}
            edit.pop("name")
            while True:  # PUT at a version: again until it answers; 409 = already applied
                saved = await client.request(
                    "edit_user", "PUT", f"{base}/{user['user_id']}", json=edit, headers=headers
                )
                if saved is not None:
                    break
                await asyncio.sleep(0.5)
    finally:
        await client.aclose()


async def upload_loop(world: World, ledger: Ledger) -> None:
    http = [httpx.AsyncClient(base_url=g, timeout=30) for g in world.gateways]
    try:
        for n in itertools.count():
            await asyncio.sleep(1.0)
            if ledger.stop.is_set():
                return
            try:
                answer = await post_user_share(
                    http[n % len(http)],
                    world.sharer,
                    f"負荷{n}.txt",
                    b"fault test\n" * 50,
                    "負荷試験",
                )
            except httpx.HTTPError as error:
                ledger.failed["upload"] += 1
                ledger.answers[type(error).__name__] += 1
                continue
            if answer.status_code == 201:
                ledger.done["upload"] += 1
                ledger.shares.add(answer.json()["share_id"])
            elif answer.status_code >= 500:
                ledger.failed["upload"] += 1
                ledger.answers[str(answer.status_code)] += 1
    finally:
        for client in http:
            await client.aclose()


@contextlib.asynccontextmanager
async def running_load(world: World, ledger: Ledger) -> AsyncIterator[Ledger]:
    """The load runs inside the block; it stops (and its clients close) when it ends."""
    tasks = [asyncio.create_task(agent_loop(world, ledger, user)) for user in world.users]
    tasks.append(asyncio.create_task(admin_loop(world, ledger)))
    tasks.append(asyncio.create_task(upload_loop(world, ledger)))
    try:
        yield ledger
    finally:
        ledger.stop.set()
        _, late = await asyncio.wait(tasks, timeout=90)
        for task in late:
            task.cancel()
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]


async def _admin(suite: Suite, code: str) -> Admin:
    created = await create_facility(
        suite.database_url("identity"),
        RegisterFacility(
            code=code,
            name=f"{code}-Fault Hospital",
            domain=f"h{code}.example.jp",
            admin_name="admin01",
            admin_email=f"admin01@h{code}.example.jp",  # fileshare mails its admins
        ),
        operator="pytest-operator",
    )
    return await sign_in_admin(
        suite.url("gateway"),
        code,
        created.admin_account,
        created.initial_password,
        created.initial_second_password,
    )


async def prepare_world(suite: Suite, code: str, agents: int = AGENTS) -> World:
    """Facility ``code`` with what the load needs: its admin signed in, a terminal and its
    agent credential, ``agents`` users allowed on it, and a user who may share files."""
    admin = await _admin(suite, code)
    terminal = await admin.send("POST", "/terminals", json={"name": "負荷端末"})
    assert terminal.status_code == 201, terminal.text
    terminal_id = terminal.json()["terminal"]["terminal_id"]
    issued = await admin.send("POST", f"/terminals/{terminal_id}/credentials")
    assert issued.status_code == 201, issued.text
    users = []
    for n in range(agents):
        mac = f"AA-BB-CC-00-00-{n:02X}"
        body = {**new_user_body(f"agent{n}"), "macs": [mac], "terminals": [terminal_id]}
        made = await admin.send("POST", "/users", json=body)
        assert made.status_code == 201, made.text
        users.append({"account": made.json()["account"], "mac": mac})
    sharer = await admin.send(
        "POST", "/users", json={**new_user_body("sharer"), "file_share": "always"}
    )
    assert sharer.status_code == 201, sharer.text
    async with httpx.AsyncClient(base_url=suite.url("gateway"), timeout=30) as http:
        bearer = await user_ready_to_share(http, sharer.json())
    token = issued.json()["token"]
    return World(suite.urls("gateway"), admin, terminal_id, token, users, bearer)
