"""「強制切断」 (SPEC C4): an admin's force close reaches the terminal's agent within 2 s,
is acknowledged, survives the agent being away, and happens once however often asked."""

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator

import httpx
import msgspec

from fumidai_cli.reference_agent.client import AgentClient
from fumidai_cli.reference_agent.runner import JumpHostAgent, LiveSession
from services.terminals.bootstrap import TerminalsRuntime, build_runtime
from services.terminals.http import create_app
from services.terminals.settings import TerminalsSettings
from services.terminals.tests.harness import (
    IdentityFeed,
    Service,
    admin_headers,
    eventually,
    metric,
    recorded,
    serving,
)

MAC = "00:11:22:33:44:55"


async def live_session(
    service: Service, identity: IdentityFeed
) -> tuple[AgentClient, LiveSession, str]:
    """A terminal's agent client, a live session on it and the agent's token."""
    terminal = await service.create_terminal("踏み台端末02(Local)")
    token = await service.credential(terminal)
    client = service.agent(token)
    user = await identity.user("operation-user01", terminals=(terminal,))
    started = await client.start((await client.authorize(user.account, MAC)).decision_id)
    return client, LiveSession(started.session_id, user.account, MAC), token


async def force_close(
    service: Service, session_id: str, reason: str = "不審な操作のため", admin: str | None = None
) -> httpx.Response:
    return await service.admin(
        "POST",
        f"/sessions/{session_id}/force-close",
        json={"reason": reason},
        headers=admin_headers(sub=admin) if admin else None,
    )


async def test_c4_force_close_reaches_the_agent_within_2_seconds_and_is_acknowledged(
    service: Service, identity: IdentityFeed
) -> None:
    client, session, _ = await live_session(service, identity)
    agent = JumpHostAgent(client, poll_wait=20)
    await agent.start()
    agent.state.live[session.session_id] = session
    await asyncio.sleep(0.2)  # the agent's poll is now held by the server
    acks = await metric(service, "fumidai_close_order_ack_seconds_count")
    ended = await metric(service, "fumidai_sessions_ended_total", how="force_closed")

    asked = time.monotonic()
    response = await force_close(service, session.session_id)
    assert response.status_code == 200, response.text
    row = response.json()["session"]
    assert (row["state"], row["state_label"]) == ("force_closed", "強制切断")
    assert row["ended_at"] is not None
    assert row["closed_by"] == "998-operation-admin01@nrasdev.onmicrosoft.com"
    assert row["close_reason"] == "不審な操作のため"

    async def acknowledged() -> bool:
        shown = await service.admin("GET", f"/sessions/{session.session_id}")
        return shown.json()["close_acknowledged_at"] is not None

    await eventually(acknowledged, timeout=2.0, poll=0.01)
    assert time.monotonic() - asked < 2.0
    assert agent.state.cut == {session.session_id: "強制切断"}
    assert [o.session_id for o in agent.state.orders] == [session.session_id]
    [closed] = await recorded(service, "SessionForceClosed.v1")
    assert closed["closed_by"] == "998-operation-admin01@nrasdev.onmicrosoft.com"
    assert closed["reason"] == "不審な操作のため"
    [ack] = await recorded(service, "SessionCloseAcknowledged.v1")
    assert ack["order_seq"] == 1 and ack["actor"].startswith("agent:")
    # The dashboard's force-close acknowledgement latency and endings (issue 17).
    assert await metric(service, "fumidai_close_order_ack_seconds_count") == acks + 1
    assert await metric(service, "fumidai_sessions_ended_total", how="force_closed") == ended + 1
    # The agent's own 「切断」 report after the cut changes nothing.
    assert (await client.end(session.session_id)).state == "force_closed"
    await agent.stop()
    await client.aclose()


async def test_c4_an_order_made_while_the_agent_is_away_arrives_once_when_it_is_back(
    service: Service, identity: IdentityFeed
) -> None:
    client, session, _ = await live_session(service, identity)
    assert (await force_close(service, session.session_id)).status_code == 200

    # Back, remembering nothing: the order waits for it.
    first = await client.poll(after=0, wait=0)
    assert [(o.seq, o.session_id, o.cause) for o in first.orders] == [
        (1, session.session_id, "force_closed")
    ]
    assert first.cursor == 1
    # Polling on from its cursor, a connected agent does not get it again...
    assert (await client.poll(after=first.cursor, wait=0.2)).orders == []
    # ...and an agent that lost its cursor before acknowledging gets it again: not lost.
    assert [o.seq for o in (await client.poll(after=0, wait=0)).orders] == [1]
    assert (await client.ack(1)).first is True
    assert (await client.ack(1)).first is False  # acknowledging twice changes nothing
    # Once acknowledged it is never delivered again, with or without a cursor.
    assert (await client.poll(after=0, wait=0.2)).orders == []
    assert len(await recorded(service, "SessionCloseAcknowledged.v1")) == 1
    await client.aclose()


async def test_c4_two_admins_force_closing_one_session_close_it_once(
    service: Service, identity: IdentityFeed
) -> None:
    client, session, _ = await live_session(service, identity)
    first, second = await asyncio.gather(
        force_close(service, session.session_id, "理由A", "998-admin-a@nrasdev.onmicrosoft.com"),
        force_close(service, session.session_id, "理由B", "998-admin-b@nrasdev.onmicrosoft.com"),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 409], (first.text, second.text)
    refused = first if first.status_code == 409 else second
    assert refused.json()["code"] == "session_already_closed"
    assert refused.json()["title"] == "この接続は既に切断されています。画面を更新してください。"
    assert len(await recorded(service, "SessionForceClosed.v1")) == 1
    assert len((await client.poll(after=0, wait=0)).orders) == 1
    # Repeating later is as harmless.
    assert (await force_close(service, session.session_id)).status_code == 409
    assert len((await client.poll(after=0, wait=0)).orders) == 1
    await client.aclose()


@contextlib.asynccontextmanager
async def replica(
    settings: TerminalsSettings, service: Service, recheck_s: float
) -> AsyncIterator[tuple[str, TerminalsRuntime]]:
    """A second replica of the service: same database and NATS, its own process state."""
    own = msgspec.structs.replace(settings.own, order_recheck_s=recheck_s)
    runtime = build_runtime(dataclasses.replace(settings, own=own), service.clock)
    async with serving(create_app(runtime)) as url:
        yield url, runtime


async def test_c4_an_order_made_on_another_replica_wakes_the_agents_poll(
    service: Service, identity: IdentityFeed, terminals_settings: TerminalsSettings
) -> None:
    """The agent's poll is held by replica B; the admin's request goes to replica A."""
    client, session, token = await live_session(service, identity)
    # Only the NATS signal can wake B's poll in time: B looks in Postgres every 30 s.
    async with replica(terminals_settings, service, recheck_s=30) as (url, _):
        on_replica = AgentClient(url, token)
        poll = asyncio.create_task(on_replica.poll(after=0, wait=20))
        await asyncio.sleep(0.3)
        asked = time.monotonic()
        assert (await force_close(service, session.session_id)).status_code == 200
        got = await poll
        assert time.monotonic() - asked < 2.0
        assert [o.session_id for o in got.orders] == [session.session_id]
        await on_replica.aclose()
    await client.aclose()


async def test_c4_a_lost_signal_is_made_up_by_the_look_in_postgres(
    service: Service, identity: IdentityFeed, terminals_settings: TerminalsSettings
) -> None:
    client, session, token = await live_session(service, identity)
    async with replica(terminals_settings, service, recheck_s=0.5) as (url, runtime):
        await runtime.signals.stop()  # B hears no signal, as if NATS had dropped it
        on_replica = AgentClient(url, token)
        poll = asyncio.create_task(on_replica.poll(after=0, wait=20))
        await asyncio.sleep(0.3)
        asked = time.monotonic()
        assert (await force_close(service, session.session_id)).status_code == 200
        got = await poll
        assert [o.session_id for o in got.orders] == [session.session_id]
        assert time.monotonic() - asked < 2.0
        await on_replica.aclose()
    await client.aclose()
