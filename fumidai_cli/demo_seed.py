"""The demo data of ``./fumidai up`` (``demo_data``) made real through the suite's APIs.

Who does what, and why this route:
- An admin's work (terminals, users with their terminals, agent credentials) goes to
  identity's and terminals' internal API — the very calls the gateway makes for
  ``/api/v1`` — with a short-lived *operator* token signed with operators' key
  (``.fumidai/token-keys/operator``, which ``up`` holds), as
  ``./fumidai agent --issue`` does. The admin API itself would need a signed-in admin, and
  the demo admin's first sign-in (initial password → new password → TOTP enrolment) is the
  person's to make in the browser; a second, hidden admin would be a stranger in the
  facility. So 操作ログ names the operator ``fumidai-up-demo``: what really happened.
- What jump hosts and users do goes through the gateway as they would: the reference
  agent's ``/agent/v1`` calls (authorize, start, end; one session left live, and refusals),
  users' sign-ins on ``/user-api/v1`` (TOTP enrolment with pyotp, a few wrong passwords),
  and shares uploaded after the second password. The logs hold rows made by real paths.
- The users' initial passwords and second passwords are held in memory only, to sign them
  in; they are not written anywhere.
"""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pyotp

from fumidai_cli.demo_data import Catalogue, Connection, DemoUser, catalogue
from fumidai_cli.reference_agent.client import AgentClient
from libs.runtime.internal_auth import issue
from libs.runtime.token_keys import SigningKey

OPERATOR = "fumidai-up-demo"
NEW_PASSWORD = "Demo#Fumidai-2025!"
"""The password every demo user sets at its first sign-in (L1 policy)."""
SHARE_FILE = "検査結果_サンプル.txt"
SHARE_CONTENT = "検査結果: 問題なし（デモデータ）\n".encode() * 40
STEP_PATHS = {
    "new_password": "new-password",
    "totp_enrol": "totp",
    "totp": "totp",
    "second_password": "second-password",
}
_CONCURRENCY = 4
_PROJECTION_WAIT_S = 20.0


class DemoSeedError(Exception):
    """A step of the demo data was refused; the message names it and the answer."""


@dataclass(frozen=True)
class SuiteUrls:
    gateway: str
    identity: str
    terminals: str


@dataclass
class SeedReport:
    users: int = 0
    terminals: int = 0
    sessions: int = 0
    live: int = 0
    refused: int = 0
    sign_ins: int = 0
    failed_sign_ins: int = 0
    shares: int = 0


def expect(answer: httpx.Response, status: int, what: str) -> Any:
    if answer.status_code != status:
        raise DemoSeedError(f"{what}: HTTP {answer.status_code} {answer.text[:300]}")
    return answer.json() if answer.content else None


class Seeder:
    """One run of the seed against a running suite, for facility ``code``."""

    def __init__(self, urls: SuiteUrls, operator_key: SigningKey, code: str = "998") -> None:
        self.urls = urls
        self.code = code
        self.report = SeedReport()
        self._key = operator_key
        self._created: dict[str, dict[str, Any]] = {}
        self._terminal_ids: dict[str, str] = {}

    def _operator(self, service: str, base: str, area: str = "facilities") -> httpx.AsyncClient:
        """A client of ``service``'s internal API at ``base``, under
        ``/internal/v1/{area}/<code>`` (``operator/facilities`` for what only operators do)."""

        async def sign(request: httpx.Request) -> None:
            # Minted per request: internal tokens live a minute.
            token = issue(
                self._key, audience=service, sub=OPERATOR, role="operator", facility=self.code
            )
            request.headers["Authorization"] = f"Bearer {token}"

        prefix = f"{base}/internal/v1/{area}/{self.code}"
        return httpx.AsyncClient(base_url=prefix, timeout=30, event_hooks={"request": [sign]})

    async def run(self, data: Catalogue) -> SeedReport:
        async with (
            self._operator("terminals", self.urls.terminals) as terminals,
            self._operator("identity", self.urls.identity) as identity,
            self._operator("identity", self.urls.identity, "operator/facilities") as operating,
            httpx.AsyncClient(base_url=self.urls.gateway, timeout=60) as gateway,
        ):
            token = await self._terminals(terminals, data)
            await self._federation_targets(operating, data.federation_targets, "")
            await self._users(identity, data.users, token)
            await self._federation_targets(operating, data.retired_targets, "/retire")
            await self._projected(terminals, data.users)
            await self._connections(terminals, gateway, data.connections)
            await self._sign_ins(gateway, data)
        return self.report

    async def _terminals(self, terminals: httpx.AsyncClient, data: Catalogue) -> str:
        token = ""
        names = dict.fromkeys(t for u in data.users for t in u.terminals)
        for name in [*names, *(c.terminal for c in data.connections)]:
            if name in self._terminal_ids:
                continue
            answer = await terminals.post("/terminals", json={"name": name})
            body = expect(answer, 201, f"terminal {name}")
            self._terminal_ids[name] = body["terminal"]["terminal_id"]
            token = body["consistency_token"]
            self.report.terminals += 1
        return token

    async def _federation_targets(
        self, operating: httpx.AsyncClient, names: tuple[str, ...], action: str
    ) -> None:
        """Add (``action`` empty) or retire the 認証連携先, as the operator's CLI does:
        through identity's commands, so each is an event of the facility."""
        status = 200 if action else 201
        for name in names:
            answer = await operating.post(f"/federation-targets{action}", json={"name": name})
            expect(answer, status, f"federation target {name}{action}")

    async def _users(self, identity: httpx.AsyncClient, users: list[DemoUser], token: str) -> None:
        gate = asyncio.Semaphore(_CONCURRENCY)

        async def create(user: DemoUser) -> None:
            payload = {
                **user.body,
                "name": user.name,
                "terminals": [self._terminal_ids[n] for n in user.terminals],
            }
            async with gate:
                answer = await identity.post(
                    "/users", json=payload, headers={"x-fumidai-consistency": token}
                )
            self._created[user.name] = expect(answer, 201, f"user {user.name}")
            self.report.users += 1

        await asyncio.gather(*(create(u) for u in users))

    async def _projected(self, terminals: httpx.AsyncClient, users: list[DemoUser]) -> None:
        """Wait until terminals knows every assignment, so the agent's answers are final."""
        wanted: dict[str, int] = {name: 0 for name in self._terminal_ids}
        for user in users:
            for name in user.terminals:
                wanted[name] += 1
        by_id = {self._terminal_ids[n]: count for n, count in wanted.items()}

        async def done() -> bool:
            listed = expect(await terminals.get("/terminals"), 200, "terminal list")
            return all(t["user_count"] == by_id.get(t["terminal_id"], 0) for t in listed)

        await until(done, "terminals did not see the demo users' assignments")

    async def _connections(
        self, terminals: httpx.AsyncClient, gateway: httpx.AsyncClient, plan: list[Connection]
    ) -> None:
        agents: dict[str, AgentClient] = {}
        for name in dict.fromkeys(c.terminal for c in plan):
            terminal_id = self._terminal_ids[name]
            issued = expect(
                await terminals.post(f"/terminals/{terminal_id}/credentials"),
                201,
                f"agent credential of {name}",
            )
            agents[name] = AgentClient(self.urls.gateway, issued["token"], http=gateway)
        for attempt in plan:
            await self._connect(agents[attempt.terminal], attempt)

    async def _connect(self, agent: AgentClient, attempt: Connection) -> None:
        account = self._created[attempt.user]["account"]
        decision = await agent.authorize(account, attempt.mac)
        if decision.allowed == attempt.refused:
            raise DemoSeedError(
                f"agent at {attempt.terminal}: {account} from {attempt.mac} was "
                f"{'allowed' if decision.allowed else 'refused'} ({decision.reason})"
            )
        if not decision.allowed:
            self.report.refused += 1
            return
        session = await agent.start(decision.decision_id)
        self.report.sessions += 1
        if attempt.stays_live:
            self.report.live += 1
        else:
            await agent.end(session.session_id)

    async def _sign_ins(self, gateway: httpx.AsyncClient, data: Catalogue) -> None:
        for name in data.wrong_passwords:
            account = self._created.get(name, {}).get("account") or self._unknown(name)
            answer = await gateway.post(
                "/user-api/v1/session/password",
                json={"account": account, "password": "wrong-Password-1", "app": "ファイル共有"},
            )
            if answer.status_code not in (400, 401, 404):
                raise DemoSeedError(f"a wrong password for {account}: HTTP {answer.status_code}")
            self.report.failed_sign_ins += 1
        for name in [data.uploader, *data.sharers]:
            await self._share(gateway, self._created[name])

    def _unknown(self, name: str) -> str:
        domain = next(iter(self._created.values()))["account"].split("@", 1)[1]
        return f"{self.code}-{name}@{domain}"

    async def _share(self, gateway: httpx.AsyncClient, created: dict[str, Any]) -> None:
        """Sign the user in for ファイル共有 (first sign-in), verify the second password,
        share one small clean file to the facility."""
        bearer = {"Authorization": f"Bearer {await self._sign_in(gateway, created)}"}
        verified = await gateway.post(
            "/user-api/v1/second-password",
            json={"second_password": created["second_password"]},
            headers=bearer,
        )
        expect(verified, 200, f"second password of {created['account']}")
        manifest = {
            "purpose": "検査データの共有（デモ）",
            "files": [{"name": SHARE_FILE, "size": len(SHARE_CONTENT)}],
            "recipient": None,
        }
        uploaded = await gateway.post(
            "/user-api/v1/shares",
            headers=bearer,
            files=[
                ("manifest", (None, json.dumps(manifest, ensure_ascii=False), "application/json")),
                ("file", (SHARE_FILE, SHARE_CONTENT, "text/plain")),
            ],
        )
        expect(uploaded, 201, f"share of {created['account']}")
        self.report.shares += 1

    async def _sign_in(self, gateway: httpx.AsyncClient, created: dict[str, Any]) -> str:
        """Every step of a first sign-in; the session token."""
        answer = await gateway.post(
            "/user-api/v1/session/password",
            json={
                "account": created["account"],
                "password": created["initial_password"],
                "app": "ファイル共有",
                "token": True,
            },
        )
        body = expect(answer, 200, f"sign-in of {created['account']}")
        totp: pyotp.TOTP | None = None
        while body["next_step"] != "done":
            step = body["next_step"]
            payload: dict[str, Any] = {"handle": body["handle"], "token": True}
            if step == "new_password":
                payload["new_password"] = NEW_PASSWORD
            elif step in ("totp_enrol", "totp"):
                if step == "totp_enrol":
                    totp = pyotp.TOTP(body["enrolment"]["secret"])
                if totp is None:
                    raise DemoSeedError(f"{created['account']} has an authenticator already")
                payload["code"] = totp.now()
            elif step == "second_password":
                payload["second_password"] = created["second_password"]
            path = STEP_PATHS.get(step)
            if path is None:
                raise DemoSeedError(f"sign-in of {created['account']}: unknown step {step}")
            answer = await gateway.post(f"/user-api/v1/session/{path}", json=payload)
            body = expect(answer, 200, f"sign-in step {step} of {created['account']}")
        self.report.sign_ins += 1
        return str(body["session"]["session_token"])


async def until(check: Callable[[], Awaitable[bool]], failure: str) -> None:
    deadline = time.monotonic() + _PROJECTION_WAIT_S
    while not await check():
        if time.monotonic() > deadline:
            raise DemoSeedError(f"{failure} within {_PROJECTION_WAIT_S:.0f}s")
        await asyncio.sleep(0.1)


async def seed(urls: SuiteUrls, operator_key: SigningKey, today: date | None = None) -> SeedReport:
    """Fill facility 998 (which must exist, with nothing in it yet) with the demo data."""
    data = catalogue(today or date.today())
    try:
        return await Seeder(urls, operator_key).run(data)
    except httpx.HTTPError as error:
        raise DemoSeedError(f"a service did not answer: {error!r}") from error
