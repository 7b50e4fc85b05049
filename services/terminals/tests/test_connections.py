"""Decisions, sessions and their endings through the agent protocol (SPEC C1–C3, U5, K4)."""

from datetime import date

import pytest

from fumidai_cli.reference_agent.client import AgentApiError, AgentClient, TerminalDeleted
from fumidai_cli.reference_agent.runner import JumpHostAgent
from services.terminals.tests.harness import (
    ADMIN,
    IdentityFeed,
    Service,
    account,
    eventually,
    metric,
    recorded,
)

MAC = "00-11-22-33-44-55"


async def agent_for(service: Service, name: str = "group01") -> tuple[str, AgentClient]:
    terminal = await service.create_terminal(name)
    return terminal, service.agent(await service.credential(terminal))


async def start_raw(agent: AgentClient, decision_id: str) -> tuple[int, str]:
    """Report a start and return the status and problem code, for refusals."""
    try:
        await agent.start(decision_id)
    except AgentApiError as error:
        return error.status, error.code
    return 201, ""


async def test_c1_every_refusal_names_its_reason_and_every_attempt_is_recorded(
    service: Service, identity: IdentityFeed
) -> None:
    terminal, agent = await agent_for(service)
    other, _ = await agent_for(service, "group02")
    await identity.user("ok", terminals=(terminal,))
    await identity.user("future", valid_from=date(2025, 3, 25), terminals=(terminal,))
    await identity.user("old", valid_until=date(2025, 3, 23), terminals=(terminal,))
    await identity.user("nomac", macs=(), terminals=(terminal,))
    await identity.user("elsewhere", terminals=(other,))
    await identity.user("night", hours=("22:00", "06:00"), terminals=(terminal,))
    await identity.user("foreign", code="997", terminals=(terminal,))
    before = await metric(service, "fumidai_connection_decisions_total", reason="expired")

    cases = [
        (account("ok"), MAC, None),
        ("998-OK@NRASDEV.onmicrosoft.com", "001122334455", None),  # any case, any MAC spelling
        (account("nobody"), MAC, "unknown_user"),
        (ADMIN, MAC, "admin_account"),
        (account("future"), MAC, "not_yet_valid"),
        (account("old"), MAC, "expired"),
        (account("ok"), "00-11-22-33-44-66", "mac_not_registered"),
        (account("ok"), "not a mac", "mac_not_registered"),
        (account("nomac"), MAC, "mac_not_registered"),
        (account("elsewhere"), MAC, "terminal_not_assigned"),
        (account("night"), MAC, "outside_hours"),  # 10:00 in Tokyo
        (account("foreign", "997"), MAC, "unknown_user"),  # 997's user, 998's terminal
    ]
    for who, mac, reason in cases:
        decision = await agent.authorize(who, mac)
        assert decision.reason == reason, who
        assert decision.allowed is (reason is None)
        assert (decision.message is None) is (reason is None)

    events = await recorded(service, "ConnectionDecided.v1")
    assert [(e["account"], e["reason"]) for e in events] == [(a, r) for a, _, r in cases]
    assert events[1]["mac"] == "00:11:22:33:44:55"
    assert {e["terminal_id"] for e in events} == {terminal}
    assert {e["terminal_name"] for e in events} == {"998-group01"}
    assert all(str(e["actor"]).startswith("agent:") for e in events)
    after = await metric(service, "fumidai_connection_decisions_total", reason="expired")
    assert after - before == 1
    await agent.aclose()


async def test_c2_a_live_session_goes_on_past_its_end_hour_new_ones_are_refused(
    service: Service, identity: IdentityFeed
) -> None:
    terminal, agent = await agent_for(service)
    user = await identity.user("day", hours=("09:00", "17:00"), terminals=(terminal,))
    service.clock.advance(hours=6, minutes=50)  # 16:50 in Tokyo
    decision = await agent.authorize(user.account, MAC)
    assert decision.allowed
    session = await agent.start(decision.decision_id)

    service.clock.advance(minutes=20)  # 17:10: past the end of the hours
    beat = await agent.heartbeat([session.session_id])
    assert beat.live == [session.session_id]
    assert await service.runtime.sweep() == 0
    shown = await service.admin("GET", f"/sessions/{session.session_id}")
    assert shown.json()["state"] == "live" and shown.json()["state_label"] == "接続中"
    later = await agent.authorize(user.account, MAC)
    assert later.reason == "outside_hours"
    await agent.aclose()


async def test_c3_sessions_start_on_an_allowed_decision_and_end_once(
    service: Service, identity: IdentityFeed
) -> None:
    terminal, agent = await agent_for(service)
    user = await identity.user("user01", terminals=(terminal,))
    refused = await agent.authorize(account("nobody"), MAC)
    # A refused decision starts nothing.
    assert await start_raw(agent, refused.decision_id) == (404, "decision_not_found")

    decision = await agent.authorize(user.account, MAC)
    session = await agent.start(decision.decision_id)
    again = await agent.start(decision.decision_id)  # a retried report: the same session
    assert again.session_id == session.session_id
    live = (await service.admin("GET", "/sessions")).json()
    assert [(s["session_id"], s["account"], s["terminal_name"], s["mac"]) for s in live] == [
        (session.session_id, user.account, "998-group01", "00:11:22:33:44:55")
    ]

    assert (await agent.end(session.session_id)).state == "ended"
    assert (await agent.end(session.session_id)).state == "ended"  # 「切断」 twice: harmless
    assert (await service.admin("GET", "/sessions")).json() == []
    ended = (await service.admin("GET", f"/sessions/{session.session_id}")).json()
    assert ended["state_label"] == "切断" and ended["end_reason"] == "agent"
    assert ended["ended_at"] is not None
    assert len(await recorded(service, "SessionEnded.v1")) == 1

    stale = await agent.authorize(user.account, MAC)
    service.clock.advance(minutes=3)  # longer than an allowed decision may wait
    assert await start_raw(agent, stale.decision_id) == (409, "decision_expired")
    await agent.aclose()


async def test_c3_a_session_its_agent_stops_reporting_times_out_after_5_minutes(
    service: Service, identity: IdentityFeed
) -> None:
    terminal, agent = await agent_for(service)
    user = await identity.user("user01", terminals=(terminal,))
    reported = await agent.start((await agent.authorize(user.account, MAC)).decision_id)
    forgotten = await agent.start((await agent.authorize(user.account, MAC)).decision_id)
    service.clock.advance(minutes=4)
    await agent.heartbeat([reported.session_id])
    service.clock.advance(minutes=1)  # forgotten: 5 minutes of silence, reported: 1
    assert await service.runtime.sweep() == 0  # exactly 5 minutes is not yet over
    service.clock.advance(seconds=1)
    assert await service.runtime.sweep() == 1
    assert await service.runtime.sweep() == 0
    timed_out = (await service.admin("GET", f"/sessions/{forgotten.session_id}")).json()
    assert timed_out["state"] == "timed_out" and timed_out["state_label"] == "タイムアウト"
    [event] = await recorded(service, "SessionTimedOut.v1")
    assert event["last_heartbeat_at"] == "2025-03-24T01:00:00Z"
    beat = await agent.heartbeat([reported.session_id, forgotten.session_id])
    assert beat.live == [reported.session_id] and beat.ended == [forgotten.session_id]
    service.clock.advance(minutes=5, seconds=1)
    assert await service.runtime.sweep() == 1
    await agent.aclose()


async def test_c3_live_sessions_gauge_follows_the_database_at_each_sweep(
    service: Service, identity: IdentityFeed
) -> None:
    """fumidai_sessions_live (issue 17, Operations): counted at each sweep, so a session
    that timed out on another replica leaves the count as well."""
    terminal, agent = await agent_for(service)
    user = await identity.user("user01", terminals=(terminal,))
    await service.runtime.sweep()
    before = await metric(service, "fumidai_sessions_live")
    kept = await agent.start((await agent.authorize(user.account, MAC)).decision_id)
    await agent.start((await agent.authorize(user.account, MAC)).decision_id)
    assert await metric(service, "fumidai_sessions_live") == before  # not before a sweep
    await service.runtime.sweep()
    assert await metric(service, "fumidai_sessions_live") == before + 2
    service.clock.advance(minutes=5)
    await agent.heartbeat([kept.session_id])
    service.clock.advance(seconds=1)
    assert await service.runtime.sweep() == 1
    assert await metric(service, "fumidai_sessions_live") == before + 1
    await agent.aclose()


async def test_u5_deleting_a_user_ends_its_sessions_and_tells_their_agents(
    service: Service, identity: IdentityFeed
) -> None:
    one, client_one = await agent_for(service, "group01")
    two, client_two = await agent_for(service, "group02")
    leaver = await identity.user("leaver", terminals=(one, two))
    stayer = await identity.user("stayer", terminals=(one,))
    agents = [JumpHostAgent(client_one, poll_wait=5), JumpHostAgent(client_two, poll_wait=5)]
    for agent in agents:
        await agent.start()
    _, first = await agents[0].connect(leaver.account, MAC)
    _, second = await agents[1].connect(leaver.account, MAC)
    _, kept = await agents[0].connect(stayer.account, MAC)
    assert first and second and kept

    deletion = await identity.delete(leaver)

    async def both_cut() -> bool:
        return all(a.state.cut for a in agents)

    await eventually(both_cut)
    assert agents[0].state.cut == {first.session_id: "利用者削除"}
    assert agents[1].state.cut == {second.session_id: "利用者削除"}
    assert list(agents[0].state.live) == [kept.session_id]
    for session in (first, second):
        shown = (await service.admin("GET", f"/sessions/{session.session_id}")).json()
        assert (shown["state"], shown["end_reason"]) == ("ended", "user_deleted")

        async def acknowledged(session_id: str = session.session_id) -> bool:
            found = await service.admin("GET", f"/sessions/{session_id}")
            return found.json()["close_acknowledged_at"] is not None

        await eventually(acknowledged)
    ended = await recorded(service, "SessionEnded.v1")
    assert {e["causation_id"] for e in ended} == {deletion.event_id}
    assert (await agents[0].client.authorize(leaver.account, MAC)).reason == "unknown_user"
    assert (await service.admin("GET", f"/sessions/{kept.session_id}")).json()["state"] == "live"
    for agent in agents:
        await agent.stop()
        await agent.client.aclose()


async def test_u5_the_user_deletion_reactors_lag_is_exported(service: Service) -> None:
    """fumidai_consumer_lag (issue 17) covers the reaction that ends deleted users'
    sessions as well as the projections, from the moment it starts."""

    async def exported() -> bool:
        text = (await service.http.get("/metrics")).text
        return 'fumidai_consumer_lag{projection="terminals_user_deleted"} 0.0' in text

    await eventually(exported)


async def test_k4_deleting_a_terminal_ends_its_sessions_and_silences_its_agent(
    service: Service, identity: IdentityFeed
) -> None:
    doomed, doomed_client = await agent_for(service, "group01")
    spared, spared_client = await agent_for(service, "group02")
    user = await identity.user("user01", terminals=(doomed, spared))
    agent = JumpHostAgent(doomed_client, poll_wait=5)
    await agent.start()
    _, on_doomed = await agent.connect(user.account, MAC)
    on_spared = await spared_client.start(
        (await spared_client.authorize(user.account, MAC)).decision_id
    )
    assert on_doomed is not None

    deleted = await service.admin("DELETE", f"/terminals/{doomed}")
    assert deleted.json()["ended_sessions"] == 1

    async def agent_told() -> bool:
        return agent.state.stopped_because == "terminal_deleted"

    await eventually(agent_told, timeout=5)
    assert agent.state.cut == {on_doomed.session_id: "terminal deleted"}
    shown = (await service.admin("GET", f"/sessions/{on_doomed.session_id}")).json()
    assert (shown["state"], shown["end_reason"]) == ("ended", "terminal_deleted")
    assert (await service.admin("GET", f"/sessions/{on_spared.session_id}")).json()[
        "state"
    ] == "live"
    with pytest.raises(TerminalDeleted):
        await doomed_client.authorize(user.account, MAC)
    revoked = await recorded(service, "AgentCredentialRevoked.v1")
    assert [e["reason"] for e in revoked] == ["terminal_deleted"]
    await agent.stop()
    await doomed_client.aclose()
    await spared_client.aclose()


async def test_c3_start_after_the_user_was_deleted_is_refused(
    service: Service, identity: IdentityFeed
) -> None:
    terminal, agent = await agent_for(service)
    user = await identity.user("user01", terminals=(terminal,))
    decision = await agent.authorize(user.account, MAC)
    await identity.delete(user)
    assert await start_raw(agent, decision.decision_id) == (409, "decision_revoked")
    await agent.aclose()
