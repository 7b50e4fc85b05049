"""What the sign-in tests share: the test's clock, an admin, the gateway's calls."""

from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.events.catalogue.signin import SignInAttempted
from libs.events.clock import SettableClock
from libs.events.codec import decode
from libs.events.envelope import Envelope
from services.identity.adapters import totp
from services.identity.settings import IdentitySettings
from services.identity.tests.callers import bearer, operator

Client = AsyncTestClient[Litestar]

IP = "203.0.113.7"
DOMAIN = "nrasdev.onmicrosoft.com"
NEW_PASSWORD = "Kumo-no-ue-2026"


def gateway(ip: str = IP) -> dict[str, str]:
    """The gateway's pre-authentication token, carrying the browser's address; fresh, as
    tokens live a minute."""
    return bearer("gateway", "system", "*", ip=ip)


class FakeClock(SettableClock):
    """The time sign-in decides by, and the authenticator step it falls in."""

    @property
    def step(self) -> int:
        return totp.step_at(self.now)


@dataclass
class Admin:
    account: str
    password: str
    second_password: str
    secret: str = ""
    """The authenticator secret, once enrolled."""


async def new_facility(app: Client, code: str = "998", admin: str = "operation-admin01") -> Admin:
    response = await app.post(
        "/internal/v1/operator/facilities",
        json={"code": code, "name": f"{code}-Hospital", "domain": DOMAIN, "admin": admin},
        headers=operator(),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Admin(body["admin_account"], body["initial_password"], body["initial_second_password"])


async def step(client: Client, name: str, ip: str = IP, **body: Any) -> httpx.Response:
    """One sign-in step, called as the gateway calls it for a browser at ``ip``."""
    return await client.post(f"/internal/v1/signin/{name}", json=body, headers=gateway(ip))


async def password(
    app: Client, account: str, secret: str, app_name: str = "メンテナンスツール", ip: str = IP
) -> httpx.Response:
    return await step(app, "password", ip, account=account, password=secret, app=app_name)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code
    assert not problem["title"].isascii()  # a Japanese message for the screen


async def first_signin(app: Client, clock: FakeClock, admin: Admin) -> dict[str, Any]:
    """The whole first sign-in: forced change, enrolment, code, second password."""
    first = ok(await password(app, admin.account, admin.password))
    assert (first["next_step"], first["password_reason"]) == ("new_password", "initial")
    enrol = ok(await step(app, "new-password", handle=first["handle"], new_password=NEW_PASSWORD))
    admin.password = NEW_PASSWORD
    assert enrol["next_step"] == "totp_enrol"
    admin.secret = enrol["enrolment"]["secret"]
    code = totp.code_at(admin.secret, clock.step)
    second = ok(await step(app, "totp", handle=first["handle"], code=code))
    assert second["next_step"] == "second_password"
    done = ok(
        await step(
            app, "second-password", handle=first["handle"], second_password=admin.second_password
        )
    )
    return done


async def signin(
    app: Client, clock: FakeClock, admin: Admin, offset: int = 0, ip: str = IP
) -> dict[str, Any]:
    """An enrolled admin's sign-in from ``ip`` with the code of the current step (+ ``offset``)."""
    started = ok(await password(app, admin.account, admin.password, ip=ip))
    assert started["next_step"] == "totp"
    handle = started["handle"]
    code = totp.code_at(admin.secret, clock.step + offset)
    assert ok(await step(app, "totp", ip, handle=handle, code=code))["next_step"] == (
        "second_password"
    )
    return ok(
        await step(app, "second-password", ip, handle=handle, second_password=admin.second_password)
    )


async def events(settings: IdentitySettings) -> list[Envelope]:
    conn = await asyncpg.connect(settings.core.database_url)
    try:
        rows = await conn.fetch("SELECT payload FROM events ORDER BY tx_id, position")
    finally:
        await conn.close()
    return [decode(bytes(row["payload"])) for row in rows]


async def attempts(settings: IdentitySettings) -> list[tuple[str, str, str, str]]:
    """(step, result, reason, app) of every SignInAttempted, in order."""
    found: list[tuple[str, str, str, str]] = []
    for envelope in await events(settings):
        data = envelope.data
        if isinstance(data, SignInAttempted):
            found.append((data.step, data.result, data.reason, data.app))
    return found
