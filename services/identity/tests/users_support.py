"""What the users and CSV tests share: facilities of their own, callers, terminals, CSV."""

import asyncio
import csv
import io
import itertools
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import nats
from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.events.catalogue import AnyEvent
from libs.events.catalogue.terminals import TerminalCreated, TerminalDeleted, TerminalRenamed
from libs.events.codec import encode
from libs.events.envelope import Actor, Envelope, envelop
from libs.events.ids import new_id
from libs.events.store import read_stream
from libs.events.subjects import subject_of
from services.identity.domain.csv_format import BOM, COLUMNS
from services.identity.domain.user_profile import latest_valid_until, today_in
from services.identity.settings import IdentitySettings
from services.identity.tests.callers import bearer, operator

Client = AsyncTestClient[Litestar]
DOMAIN = "nrasdev.onmicrosoft.com"
TERMINALS = Actor(id="terminals-test", role="admin")

# Facility codes unique in the process, hence in every shared database; the offset keeps
# clear of the 998 and 997 the other test modules register.
_codes = itertools.count(100 + random.randrange(0, 400))


def today() -> date:
    """Today in the facilities' time zone (Asia/Tokyo), as identity computes it."""
    return today_in("Asia/Tokyo", datetime.now(UTC))


def last_day() -> date:
    """The last 有効終了日 allowed today (today + 2 years)."""
    return latest_valid_until(today())


@dataclass(frozen=True)
class Place:
    """A facility of the test's own, and how to call identity as one of its admins."""

    code: str
    admin_account: str

    @property
    def users(self) -> str:
        return f"/internal/v1/facilities/{self.code}/users"

    @property
    def jobs(self) -> str:
        return f"/internal/v1/facilities/{self.code}/jobs"

    def headers(self) -> dict[str, str]:
        return bearer(self.admin_account, "admin", self.code)

    def account(self, name: str) -> str:
        return f"{self.code}-{name}@{DOMAIN}"


async def new_facility(client: Client, code: str = "") -> Place:
    """Register a facility (a fresh code unless given) and its first admin."""
    code = code or str(next(_codes))
    response = await client.post(
        "/internal/v1/operator/facilities",
        json={"code": code, "name": f"{code}-Test Hospital", "domain": DOMAIN, "admin": "admin01"},
        headers=operator(),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Place(code, body["admin_account"])


async def add_targets(client: Client, place: Place, *names: str) -> None:
    """Add 認証連携先 to the facility's catalogue, as an operator does (T1)."""
    for name in names:
        response = await client.post(
            f"/internal/v1/operator/facilities/{place.code}/federation-targets",
            json={"name": name},
            headers=operator(),
        )
        assert response.status_code == 201, response.text


def user_body(name: str = "user01", **changes: Any) -> dict[str, Any]:
    """A valid 「新規」 form for ``name``, with ``changes``."""
    body: dict[str, Any] = {
        "name": name,
        "family_name": "operation",
        "given_name": name,
        "email": f"{name}@example.jp",
        "valid_from": "2024-12-01",
        "valid_until": last_day().isoformat(),
        "macs": ["00-11-22-33-44-55"],
        "terminals": [],
        "hours": None,
        "file_share": "deny",
        "federation_targets": [],
    }
    body.update(changes)
    return body


async def create(
    client: Client, place: Place, name: str = "user01", **changes: Any
) -> dict[str, Any]:
    response = await client.post(
        place.users, json=user_body(name, **changes), headers=place.headers()
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def form_of(user: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The 「ユーザー編集」 form of a user as read, with ``changes``."""
    form = {
        key: user[key]
        for key in (
            "family_name",
            "given_name",
            "email",
            "valid_from",
            "valid_until",
            "macs",
            "hours",
            "file_share",
            "federation_targets",
            "version",
        )
    }
    form["terminals"] = [t["terminal_id"] for t in user["terminals"]]
    form.update(changes)
    return form


async def wait_for(
    predicate: Callable[[], Awaitable[bool]], timeout: float = 15.0, what: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


class TerminalsService:
    """Publishes the terminals service's events as its relay would (identity consumes them)."""

    def __init__(self, settings: IdentitySettings) -> None:
        self._settings = settings
        self._versions: dict[str, int] = {}

    async def _publish(self, data: AnyEvent, facility: str, terminal_id: str) -> Envelope:
        version = self._versions.get(terminal_id, 0) + 1
        self._versions[terminal_id] = version
        envelope = envelop(
            data, facility=facility, aggregate_id=terminal_id, version=version, actor=TERMINALS
        )
        nc = await nats.connect(
            self._settings.core.nats_url, nkeys_seed=self._settings.core.nats_nkey_seed_file or None
        )
        try:
            await nc.jetstream().publish(
                subject_of(self._settings.events.subject_root, envelope),
                encode(envelope),
                headers={"Nats-Msg-Id": envelope.event_id},
            )
        finally:
            await nc.close()
        return envelope

    async def create(self, facility: str, name: str) -> str:
        terminal_id = new_id()
        await self._publish(TerminalCreated(name=name), facility, terminal_id)
        return terminal_id

    async def rename(self, facility: str, terminal_id: str, name: str, previous: str) -> None:
        await self._publish(
            TerminalRenamed(name=name, previous_name=previous), facility, terminal_id
        )

    async def delete(self, facility: str, terminal_id: str, name: str) -> None:
        await self._publish(TerminalDeleted(name=name), facility, terminal_id)


async def terminals_known(pool: asyncpg.Pool, ids: Sequence[str]) -> None:
    """Wait until identity's projection holds ``ids``."""

    async def arrived() -> bool:
        count = await pool.fetchval(
            "SELECT count(*) FROM terminals WHERE terminal_id = ANY($1)", list(ids)
        )
        return bool(count == len(ids))

    await wait_for(arrived, what="terminal events to be projected")


async def user_events(pool: asyncpg.Pool, user_id: str) -> list[Envelope]:
    async with pool.acquire() as conn:
        return await read_stream(conn, user_id)


def csv_file(
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = COLUMNS[:-1],
    encoding: str = "utf-8",
    bom: bool = True,
) -> bytes:
    """A CSV as a spreadsheet saves it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding, errors="replace")  # as Excel saves it
    return BOM + data if bom and encoding == "utf-8" else data


def parse_csv(content: bytes) -> list[dict[str, str]]:
    """A downloaded CSV (UTF-8 with BOM) as dicts by header."""
    assert content.startswith(BOM), "exports and results are UTF-8 with a BOM"
    return list(csv.DictReader(io.StringIO(content[len(BOM) :].decode("utf-8"), newline="")))


async def finished(
    client: Client, place: Place, job_id: str, timeout: float = 30.0
) -> dict[str, Any]:
    """The job once 完了 or 失敗."""
    seen: dict[str, Any] = {}

    async def over() -> bool:
        response = await client.get(f"{place.jobs}/{job_id}", headers=place.headers())
        assert response.status_code == 200, response.text
        seen.update(response.json())
        return seen["status"] in ("done", "failed")

    await wait_for(over, timeout, what=f"job {job_id}")
    return seen


async def import_csv(
    client: Client, place: Place, content: bytes
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Upload ``content``, wait for the job, return it and its result rows."""
    response = await client.post(
        f"{place.jobs}/user-import",
        content=content,
        headers={**place.headers(), "content-type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    job = await finished(client, place, response.json()["job_id"])
    assert job["status"] == "done", job
    return job, parse_csv(await download(client, place, job["job_id"]))


async def export_csv(client: Client, place: Place) -> list[dict[str, str]]:
    response = await client.post(f"{place.jobs}/user-export", headers=place.headers())
    assert response.status_code == 202, response.text
    job = await finished(client, place, response.json()["job_id"])
    assert job["status"] == "done", job
    return parse_csv(await download(client, place, job["job_id"]))


async def download(client: Client, place: Place, job_id: str) -> bytes:
    response = await client.get(f"{place.jobs}/{job_id}/file", headers=place.headers())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return response.content


def shifted(value: date, days: int) -> str:
    return (value + timedelta(days=days)).isoformat()


def problem_codes(response: httpx.Response) -> set[str]:
    """The codes of a problem's field errors."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {error["code"] for error in response.json().get("errors", [])}
