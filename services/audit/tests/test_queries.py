"""Periods in the facility's time zone, newest-first keyset pages, filters (SPEC A3, A4)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from libs.events.ids import new_id
from services.audit.tests import builders as b
from services.audit.tests.conftest import Audit, admin

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def tokyo(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TOKYO)


async def test_a3_custom_period_is_from_and_to_days_inclusive_in_the_facility_time_zone(
    audit: Audit,
) -> None:
    await audit.publish(b.facility("998", tokyo(2025, 1, 1)))
    await audit.publish(b.facility("997", tokyo(2025, 1, 1), time_zone="America/New_York"))
    edges = {
        "before FROM": tokyo(2025, 3, 19, 23, 59, 59),
        "FROM 00:00:00": tokyo(2025, 3, 20, 0, 0, 0),
        "TO 23:59:59": tokyo(2025, 3, 22, 23, 59, 59),
        "after TO": tokyo(2025, 3, 23, 0, 0, 0),
    }
    await audit.publish(*(b.signin(name, at) for name, at in edges.items()))
    ny_edges = {
        "NY TO 23:59:59": datetime(2025, 3, 22, 23, 59, 59, tzinfo=NEW_YORK),
        "NY after TO": datetime(2025, 3, 23, 0, 0, 0, tzinfo=NEW_YORK),
    }
    await audit.publish(*(b.signin(name, at, code="997") for name, at in ny_edges.items()))

    custom = {"period": "custom", "from": "2025/03/20", "to": "2025/03/22"}
    rows = await audit.cells("signins", **custom)
    assert [r[2] for r in rows] == ["TO 23:59:59", "FROM 00:00:00"]
    assert rows[0][0] == "2025/03/22 23:59:59"  # shown in the facility's zone too
    # ISO dates are taken as well; a one-day period is that whole day.
    one_day = await audit.cells(
        "signins", period="custom", **{"from": "2025-03-22", "to": "2025-3-22"}
    )
    assert [r[2] for r in one_day] == ["TO 23:59:59"]

    response = await audit.client.get(
        "/internal/v1/facilities/997/logs/signins", params=custom, headers=admin("997")
    )
    body = response.json()
    assert body["time_zone"] == "America/New_York"
    assert [row["account"] for row in body["rows"]] == ["NY TO 23:59:59"]
    assert body["rows"][0]["cells"][0] == "2025/03/22 23:59:59"
    assert body["period"]["label"] == "カスタム期間"


async def test_a3_presets_default_to_the_last_7_days(audit: Audit) -> None:
    now = audit.clock.now
    await audit.publish(
        b.signin("23h ago", now - timedelta(hours=23)),
        b.signin("25h ago", now - timedelta(hours=25)),
        b.signin("6d23h ago", now - timedelta(days=6, hours=23)),
        b.signin("7d1h ago", now - timedelta(days=7, hours=1)),
    )
    default = await audit.page("signins")
    assert default["period"]["label"] == "過去7日間"
    assert [r["account"] for r in default["rows"]] == ["23h ago", "25h ago", "6d23h ago"]
    day = await audit.page("signins", period="24h")
    assert [r["account"] for r in day["rows"]] == ["23h ago"]
    # 「更新」 an hour later: the window moves with the clock.
    audit.clock.now = now + timedelta(hours=2)
    day = await audit.page("signins", period="24h")
    assert day["rows"] == []


async def test_a3_bad_periods_are_refused_naming_the_field(audit: Audit) -> None:
    for params, code, field in (
        ({"period": "custom", "from": "2025/03/20"}, "period_dates_required", "to"),
        ({"period": "custom", "from": "2025/03/22", "to": "2025/03/20"}, "period_order", "from"),
        (
            {"period": "custom", "from": "2025/13/01", "to": "2025/03/20"},
            "period_date_invalid",
            "from",
        ),
        ({"period": "30d"}, "period_invalid", "period"),
    ):
        response = await audit.client.get(
            "/internal/v1/facilities/998/logs/signins", params=params, headers=admin()
        )
        assert response.status_code == 400, params
        problem = response.json()
        assert (problem["code"], problem["errors"][0]["field"]) == (code, field)
        assert not problem["title"].isascii()


async def test_a3_newest_first_in_keyset_pages_that_new_rows_do_not_shift(audit: Audit) -> None:
    start = audit.clock.now - timedelta(hours=5)
    await audit.publish(*(b.signin(f"u{i:03d}", start + timedelta(minutes=i)) for i in range(120)))
    first = await audit.page("signins", limit=50)
    assert first["more_than_csv_limit"] is False
    await audit.publish(b.signin("newest", audit.clock.now))  # arrives between pages
    second = await audit.page("signins", limit=50, cursor=first["next_cursor"])
    third = await audit.page("signins", limit=50, cursor=second["next_cursor"])
    assert second["more_than_csv_limit"] is None  # only asked on the first page
    seen = [r["account"] for page in (first, second, third) for r in page["rows"]]
    assert seen == [f"u{i:03d}" for i in reversed(range(120))]
    assert third["next_cursor"] is None
    assert [r["account"] for r in (await audit.page("signins", limit=1))["rows"]] == ["newest"]

    response = await audit.client.get(
        "/internal/v1/facilities/998/logs/signins", params={"cursor": "not-a-cursor"},
        headers=admin(),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "cursor_invalid"


async def test_a4_a_filter_on_every_column_of_the_connection_log(audit: Audit) -> None:
    term_a, term_b = new_id(), new_id()
    s1, s2 = new_id(), new_id()
    u1, u2 = b.account("user1"), b.account("USER2")
    await audit.publish(
        b.started(s1, u1, term_a, "998-端末A", tokyo(2025, 3, 24, 10, 0, 0)),
        b.ended(s1, u1, term_a, tokyo(2025, 3, 24, 10, 30, 0)),
        b.started(s2, u2, term_b, "998-端末B", tokyo(2025, 3, 24, 11, 0, 0)),
        b.refused(u2, term_a, "998-端末A", "outside_hours", tokyo(2025, 3, 23, 12, 0, 0)),
    )
    r1 = f"{u2}@23"

    async def ids(*filters: str) -> list[str]:
        rows = (await audit.page("connections", filter=list(filters)))["rows"]
        return [r1 if r["state"] == "refused" else ("s1" if r["id"] == s1 else "s2") for r in rows]

    assert await ids() == ["s2", "s1", r1]
    assert await ids("started:2025/03/24") == ["s2", "s1"]
    assert await ids("started:2025/03/24 11") == ["s2"]
    assert await ids("ended:2025/03/24 10:30") == ["s1"]
    assert await ids("account:user2") == ["s2", r1]  # partial, ignoring case
    assert await ids("terminal:端末a") == ["s1", r1]
    assert await ids("state:接続中") == ["s2"]
    assert await ids("state:ended") == ["s1"]
    assert await ids("state:接続拒否") == [r1]
    assert await ids("state:接続利用可能時間外です") == [r1]  # a refusal's reason
    assert await ids("account:user2", "state:refused") == [r1]  # filters combine (AND)
    assert await ids("account:%") == []  # wildcards are plain characters

    for bad, code in (
        ("state:bogus", "filter_value_invalid"),
        ("started:yesterday", "filter_value_invalid"),
        ("nope:1", "filter_column_unknown"),
        ("account", "filter_invalid"),
    ):
        response = await audit.client.get(
            "/internal/v1/facilities/998/logs/connections", params={"filter": bad},
            headers=admin(),
        )  # fmt: skip
        assert (response.status_code, response.json()["code"]) == (400, code), bad


async def test_a4_a_filter_on_every_column_of_the_signin_and_operations_logs(
    audit: Audit,
) -> None:
    user_id = new_id()
    who, other = b.account("operation-user02"), b.account("someone")
    await audit.publish(b.user(user_id, "operation-user02", "山田", "花子", tokyo(2025, 3, 20)))
    await audit.publish(
        b.signin(who, tokyo(2025, 3, 24, 9, 0), account_id=user_id, ip="10.1.2.3"),
        b.signin(other, tokyo(2025, 3, 23, 9, 0), result="failure", reason="locked",
                 app="ファイル共有", ip="203.0.113.9"),
    )  # fmt: skip

    async def accounts(*filters: str) -> list[str]:
        rows = (await audit.page("signins", filter=list(filters)))["rows"]
        return [r["account"] for r in rows]

    assert await accounts("time:2025/03/23") == [other]
    assert await accounts("user_name:花子") == [who]
    assert await accounts("account:SOMEONE") == [other]
    assert await accounts("app:ファイル共有") == [other]
    assert await accounts("status:成功") == [who]
    assert await accounts("status:失敗") == [other]
    assert await accounts("status:アカウントロック中") == [other]
    assert await accounts("ip:10.1.") == [who]

    async def actors(*filters: str) -> list[str]:
        rows = (await audit.page("operations", filter=list(filters)))["rows"]
        return [r["actor_id"] for r in rows]

    assert await actors() == [b.account("operation-admin01")]
    await audit.publish(b.facility("998", tokyo(2025, 3, 22)))
    assert await actors("role:運用者") == ["pytest-operator"]
    assert await actors("actor:admin01") == [b.account("operation-admin01")]
    assert await actors("description:施設") == ["pytest-operator"]
    assert await actors("target:operation-user02") == [b.account("operation-admin01")]
    assert await actors("ip:192.0.2.") == ["pytest-operator", b.account("operation-admin01")]
    assert await actors("time:2025/03/22") == ["pytest-operator"]


async def test_t1_a3_periods_follow_the_facilitys_time_zone_when_it_changes(
    audit: Audit,
) -> None:
    """Without a restart: the next query after the change counts days in the new zone."""
    facility_id = new_id()
    await audit.publish(b.facility("997", tokyo(2025, 1, 1), facility_id=facility_id))
    edges = {
        "NY TO 23:59:59": datetime(2025, 3, 22, 23, 59, 59, tzinfo=NEW_YORK),
        "NY after TO": datetime(2025, 3, 23, 0, 0, 0, tzinfo=NEW_YORK),
    }
    await audit.publish(*(b.signin(name, at, code="997") for name, at in edges.items()))
    custom = {"period": "custom", "from": "2025/03/22", "to": "2025/03/22"}
    # In Tokyo both sign-ins fall on 2025/03/23 (13:59:59 and 14:00:00).
    assert await audit.cells("signins", "997", **custom) == []
    await audit.publish(
        b.settings_changed(facility_id, 2, tokyo(2025, 4, 1), "997", time_zone="America/New_York")
    )
    rows = await audit.cells("signins", "997", **custom)
    assert [(r[0], r[2]) for r in rows] == [("2025/03/22 23:59:59", "NY TO 23:59:59")]
    # A late older change does not undo it.
    await audit.publish(
        b.settings_changed(facility_id, 3, tokyo(2025, 4, 2), "997", name="997-Renamed"),
        b.settings_changed(facility_id, 2, tokyo(2025, 4, 1), "997", time_zone="Asia/Tokyo"),
    )
    assert len(await audit.cells("signins", "997", **custom)) == 1
