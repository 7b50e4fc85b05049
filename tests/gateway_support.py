"""A small client of the public API, and the five services running as real processes.

End-to-end tests talk to the gateway only, as the admin UI and scripts do.
"""

import asyncio
import json
import re
import secrets
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats
import pyotp

from libs.devservers.smtp import MailCatcher
from libs.devservers.suite import Suite
from libs.runtime.token_keys import TrustedKey
from libs.testing.servers import SessionServers, authorize_suite
from services.identity.bootstrap import create_facility
from services.identity.domain.facility import RegisterFacility

NEW_PASSWORD = "Kq7#mB2$vX9!pL4z"


@dataclass
class Admin:
    """A signed-in admin: a cookie session plus its CSRF token."""

    http: httpx.AsyncClient
    facility: str
    account: str
    csrf: str
    token: str
    """The session token (the cookie's value)."""

    def path(self, rest: str) -> str:
        return f"/api/v1/facilities/{self.facility}{rest}"

    async def get(self, rest: str, **kw: Any) -> httpx.Response:
        return await self.http.get(self.path(rest), **kw)

    async def send(self, method: str, rest: str, **kw: Any) -> httpx.Response:
        headers = {**kw.pop("headers", {}), "X-CSRF-Token": self.csrf}
        return await self.http.request(method, self.path(rest), headers=headers, **kw)


async def walk_sign_in(
    http: httpx.AsyncClient, base: str, first: dict[str, Any], totp: dict[str, str], second: str
) -> dict[str, Any]:
    """Every sign-in step from the password to ``done``; ``totp`` keeps the secret."""
    answer = await http.post(f"{base}/password", json=first)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    while body["next_step"] != "done":
        step = body["next_step"]
        payload: dict[str, Any] = {"handle": body["handle"], "token": first.get("token", False)}
        if step == "new_password":
            payload["new_password"] = NEW_PASSWORD
            path = "new-password"
        elif step in ("totp_enrol", "totp"):
            if step == "totp_enrol":
                totp["secret"] = body["enrolment"]["secret"]
                assert body["enrolment"]["otpauth_uri"].startswith("otpauth://totp/")
            payload["code"] = pyotp.TOTP(totp["secret"]).now()
            path = "totp"
        elif step == "second_password":
            payload["second_password"] = second
            path = "second-password"
        else:
            raise AssertionError(f"unexpected step {step}")
        assert body["next_path"] == f"{base}/{path}"  # the answer names where to go on
        answer = await http.post(body["next_path"], json=payload)
        assert answer.status_code == 200, answer.text
        body = answer.json()
    return dict(body["session"])


async def sign_in_user(http: httpx.AsyncClient, created: dict[str, Any]) -> dict[str, Any]:
    """Sign a user in for 「ファイル共有」 through /user-api/v1 with the secrets its creation
    showed (first sign-in: new password, TOTP enrolment); the session, with a bearer token."""
    return await walk_sign_in(
        http,
        "/user-api/v1/session",
        {
            "account": created["account"],
            "password": created["initial_password"],
            "app": "ファイル共有",
            "token": True,
        },
        {},
        created["second_password"],
    )


async def user_ready_to_share(http: httpx.AsyncClient, created: dict[str, Any]) -> dict[str, str]:
    """``sign_in_user``, then the second password given (F7): the bearer header of a session
    that may share files."""
    session = await sign_in_user(http, created)
    bearer = {"Authorization": f"Bearer {session['session_token']}"}
    verified = await http.post(
        "/user-api/v1/second-password",
        json={"second_password": created["second_password"]},
        headers=bearer,
    )
    assert verified.status_code == 200, verified.text
    return bearer


async def sign_in_admin(url: str, facility: str, account: str, password: str, second: str) -> Admin:
    """Sign in through the gateway: password, new password, TOTP enrolment, second password."""
    http = httpx.AsyncClient(base_url=url, timeout=30)
    session = await walk_sign_in(
        http, "/api/v1/session", {"account": account, "password": password}, {}, second
    )
    # The done step's session carries what the console's header shows.
    assert session["facility"] == facility and session["facility_name"].startswith(f"{facility}-")
    assert session["display_name"] and session["display_name"] in account
    token = http.cookies["fumidai_session"]
    return Admin(http, facility, account, session["csrf_token"], token)


@dataclass
class Facility:
    code: str
    domain: str
    admin: Admin


async def register(suite: Suite, code: str) -> tuple[str, str, str, str]:
    """A facility with its first admin; (domain, account, password, second password)."""
    domain = f"h{code}.example.jp"
    created = await create_facility(
        suite.database_url("identity"),
        RegisterFacility(
            code=code, name=f"{code}-Test Hospital", domain=domain, admin_name="admin01"
        ),
        operator="pytest-operator",
    )
    return (
        domain,
        created.admin_account,
        created.initial_password,
        (created.initial_second_password),
    )


async def post_user_share(
    http: httpx.AsyncClient, bearer: dict[str, str], name: str, content: bytes, purpose: str
) -> httpx.Response:
    """One file shared to the facility through /user-api/v1/shares (F1): the manifest part
    first, then the file."""
    manifest = {
        "purpose": purpose,
        "files": [{"name": name, "size": len(content)}],
        "recipient": None,
    }
    return await http.post(
        "/user-api/v1/shares",
        headers=bearer,
        files=[
            ("manifest", (None, json.dumps(manifest, ensure_ascii=False), "application/json")),
            ("file", (name, content, "text/plain")),
        ],
    )


def sharing_env(clamd_host: str, clamd_port: int, smtp_host: str, smtp_port: int) -> dict[str, str]:
    """fileshare pointed at the session's clamd and a mail catcher (F3, F6)."""
    return {
        "FUMIDAI_FILESHARE_CLAMD_HOST": clamd_host,
        "FUMIDAI_FILESHARE_CLAMD_PORT": str(clamd_port),
        "FUMIDAI_FILESHARE_SMTP_HOST": smtp_host,
        "FUMIDAI_FILESHARE_SMTP_PORT": str(smtp_port),
    }


async def operation_descriptions(http: httpx.AsyncClient, code: str, action: str) -> list[Any]:
    """操作ログ's 操作内容 of the rows of ``action`` (through the admin API), newest first."""
    answer = await http.get(f"/api/v1/facilities/{code}/logs/operations")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    columns = [c["key"] for c in body["columns"]]
    return [
        row["cells"][columns.index("description")]
        for row in body["rows"]
        if row["action"] == action
    ]


async def running_suite(
    servers: SessionServers,
    logs: Path,
    extra_env: dict[str, str] | None = None,
    also_trusted: tuple[TrustedKey, ...] = (),
) -> AsyncIterator[Suite]:
    """All five services as processes, on databases and streams of their own, with fresh
    token keys (``also_trusted``: further public keys they accept, as during a key roll)."""
    env = {
        "FUMIDAI_EVENTS_SUBJECT_ROOT": f"g{secrets.token_hex(4)}",
        "FUMIDAI_EVENTS_STREAM_PREFIX": f"G{secrets.token_hex(4).upper()}",
        **(extra_env or {}),
    }
    suite = Suite(
        postgres_url=servers.postgres_url,
        nats_url=servers.nats_url,
        log_dir=logs,
        also_trusted=also_trusted,
        database_prefix=f"gw{secrets.token_hex(3)}_",
        extra_env=env | authorize_suite(servers, logs / "nats-keys", env),
    )
    await suite.prepare()
    suite.start()
    try:
        await asyncio.to_thread(suite.wait_ready, 90)
        yield suite
    finally:
        suite.stop()


async def eventually(check: Any, timeout: float = 10.0) -> Any:
    """Poll ``check()`` (async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


RECOVERY_LINK = re.compile(r"https?://\S+#token=[A-Za-z0-9_-]+")


def recovery_links(mail: MailCatcher, address: str) -> list[str]:
    """The links of every 「パスワードを忘れた場合」 mail to ``address`` so far (decision 0020):
    ``<gateway>/reset-password#token=…`` or its /share/ twin."""
    return [
        found[0]
        for m in mail.received
        if address in m.rcpt_tos and (found := RECOVERY_LINK.search(m.message.get_content()))
    ]


async def mailed_link(mail: MailCatcher, address: str, count: int = 1) -> str:
    """The ``count``-th recovery link mailed to ``address``, once it has come."""

    async def arrived() -> list[str]:
        links = recovery_links(mail, address)
        return links if len(links) >= count else []

    links: list[str] = await eventually(arrived, 15.0)
    assert links, f"no recovery mail to {address}"
    return links[count - 1]


async def identity_published(
    servers: SessionServers, env: Mapping[str, str], names: tuple[str, ...]
) -> None:
    """Wait until identity's relay has published an event of each of ``names``."""
    nc = await nats.connect(servers.nats_url, **servers.nats_options())
    stream = f"{env['FUMIDAI_EVENTS_STREAM_PREFIX']}_IDENTITY"
    try:

        async def seen() -> bool:
            info = await nc.jetstream().stream_info(stream, subjects_filter=">")
            subjects = info.state.subjects or {}
            return all(any(s.endswith(f".{n}") for s in subjects) for n in names)

        assert await eventually(seen, 30)
    finally:
        await nc.close()
