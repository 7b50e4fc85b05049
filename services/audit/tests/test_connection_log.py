"""端末接続履歴 from the terminals context's real events (SPEC A1, A6, C1, C3, C4)."""

from datetime import UTC, datetime, timedelta

from libs.events.ids import new_id
from services.audit.tests import builders as b
from services.audit.tests.conftest import Audit, admin

T0 = datetime(2025, 3, 24, 8, 18, 30, tzinfo=UTC)  # 17:18:30 in Tokyo
USER = b.account("operation-user01")


async def test_a1_sessions_and_refusals_with_state_end_time_and_names_of_their_time(
    audit: Audit,
) -> None:
    terminal = new_id()
    old_name, new_name = "998-踏み台端末02(Local)", "998-踏み台端末02(改名後)"
    s_ended, s_forced, s_timeout, s_live = new_id(), new_id(), new_id(), new_id()
    second = timedelta(seconds=1)
    await audit.publish(
        b.terminal(terminal, old_name, T0 - timedelta(days=1)),
        b.allowed(USER, terminal, old_name, T0 - second),  # allowed: shows as its session
        b.started(s_ended, USER, terminal, old_name, T0),
        b.ended(s_ended, USER, terminal, T0 + 18 * second),
        b.refused(USER, terminal, old_name, "mac_not_registered", T0 + 20 * second),
        b.started(s_forced, USER, terminal, old_name, T0 + 29 * second),
        b.force_closed(s_forced, USER, terminal, T0 + 40 * second),
        b.acknowledged(s_forced, terminal, T0 + 41 * second, version=3),
        # The agent's own report after the cut does not turn 強制切断 into 切断 (C4).
        b.ended(s_forced, USER, terminal, T0 + 42 * second, version=4),
        b.started(s_timeout, USER, terminal, old_name, T0 + 47 * second),
        b.timed_out(s_timeout, USER, terminal, T0 + 50 * second, T0 + 350 * second),
    )
    # A later rename does not rewrite history; a session after it carries the new name.
    await audit.publish(
        b.renamed_terminal(terminal, new_name, old_name, T0 + 400 * second),
        b.started(s_live, USER, terminal, new_name, T0 + 401 * second),
    )

    assert await audit.cells("connections") == [
        ["2025/03/24 17:25:11", "", USER, new_name, "接続中"],
        ["2025/03/24 17:19:17", "2025/03/24 17:19:20", USER, old_name, "タイムアウト"],
        ["2025/03/24 17:18:59", "2025/03/24 17:19:10", USER, old_name, "強制切断"],
        ["2025/03/24 17:18:50", "", USER, old_name, "接続拒否（MACアドレスが登録されていません）"],
        ["2025/03/24 17:18:30", "2025/03/24 17:18:48", USER, old_name, "切断"],
    ]
    rows = (await audit.page("connections"))["rows"]
    assert isinstance(rows, list)
    by_state = {row["state"]: row for row in rows}
    # SPEC A6: only the live row offers 「強制切断」, naming the session to close.
    assert [row["live"] for row in rows] == [True, False, False, False, False]
    assert by_state["live"]["session_id"] == s_live
    assert by_state["refused"]["session_id"] is None
    assert by_state["refused"]["reason"] == "mac_not_registered"
    forced = by_state["force_closed"]
    assert forced["closed_by"] == b.account("operation-admin01")
    assert forced["close_reason"] == "調査のため"
    assert forced["close_acknowledged_at"] is not None
    assert by_state["ended"]["reason"] == "agent"


async def test_a1_a_session_that_starts_and_ends_in_one_batch_is_closed(audit: Audit) -> None:
    terminal = new_id()
    sessions = [new_id() for _ in range(40)]
    envelopes = []
    for i, session in enumerate(sessions):
        at = T0 + timedelta(minutes=i)
        envelopes.append(b.started(session, USER, terminal, "998-端末", at))
        if i % 2:
            envelopes.append(b.ended(session, USER, terminal, at + timedelta(seconds=5)))
            envelopes.append(b.force_closed(session, USER, terminal, at + timedelta(seconds=6), 3))
    await audit.publish(*envelopes)
    states = [cells[4] for cells in await audit.cells("connections")]
    assert states == ["切断" if i % 2 else "接続中" for i in reversed(range(40))]


async def test_a6_a_consistency_token_shows_the_row_just_written(audit: Audit) -> None:
    # The log's own projection is waited for, not merely the first one to have the event.
    session = new_id()
    start = b.started(session, USER, new_id(), "998-端末", T0)
    await audit.publish(start, wait=False)  # the gateway asks right after terminals wrote it
    response = await audit.client.get(
        "/internal/v1/facilities/998/logs/connections",
        headers={**admin(), "X-Fumidai-Consistency": start.event_id},
    )
    body = response.json()
    assert [row["session_id"] for row in body["rows"]] == [session]
    assert body["rows"][0]["live"] is True

    # AdminCreated is read by the directory too, which may apply it first.
    created = b.admin("operation-admin02", T0)
    await audit.publish(created, wait=False)
    response = await audit.client.get(
        "/internal/v1/facilities/998/logs/operations",
        headers={**admin(), "X-Fumidai-Consistency": created.event_id},
    )
    assert [row["id"] for row in response.json()["rows"]] == [created.event_id]
