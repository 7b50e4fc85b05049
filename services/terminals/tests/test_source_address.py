"""The agent's address in the audit trail: behind the gateway the TCP peer is the gateway,
which forwards the agent's address; terminals believes X-Forwarded-For only from the
proxies it is told to trust (``FUMIDAI_TERMINALS_TRUSTED_PROXIES``)."""

import dataclasses

import httpx
import msgspec
from nats.aio.client import Client as NATS

from libs.events.clock import SettableClock
from libs.events.codec import decode
from services.terminals.bootstrap import build_runtime
from services.terminals.http import create_app
from services.terminals.settings import TerminalsSettings
from services.terminals.tests.harness import Service, serving

FORWARDED = "203.0.113.7"


async def decided_from(
    settings: TerminalsSettings, clock: SettableClock, trusted: tuple[str, ...], name: str
) -> str | None:
    """Ask one decision with an X-Forwarded-For header; the address its event records."""
    own = msgspec.structs.replace(settings.own, trusted_proxies=trusted)
    runtime = build_runtime(dataclasses.replace(settings, own=own), clock)
    async with (
        serving(create_app(runtime)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        service = Service(url, http, runtime, clock)
        token = await service.credential(await service.create_terminal(name))
        answer = await http.post(
            "/agent/v1/decisions",
            json={"account": "nobody@example.jp", "mac": "00-11-22-33-44-55"},
            headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": FORWARDED},
        )
        assert answer.status_code == 200, answer.text
        payload = await runtime.backbone.pool.fetchval(
            "SELECT payload FROM events WHERE aggregate_id = $1",
            answer.json()["decision_id"],
        )
    return decode(bytes(payload)).actor.ip


async def test_c1_a_trusted_proxys_forwarded_address_is_the_agents(
    terminals_settings: TerminalsSettings, clock: SettableClock, nc: NATS
) -> None:
    assert await decided_from(terminals_settings, clock, ("127.0.0.1",), "踏み台A") == FORWARDED


async def test_c1_anyone_elses_forwarded_header_is_ignored(
    terminals_settings: TerminalsSettings, clock: SettableClock, nc: NATS
) -> None:
    assert await decided_from(terminals_settings, clock, (), "踏み台B") == "127.0.0.1"
