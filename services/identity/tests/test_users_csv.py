"""「全件CSV出力」, 「一括登録」 and 「出力一覧」 through identity's internal API (SPEC U6).

One identity for the module (``csv_max_rows`` 1,000, ``csv_max_bytes`` 256 KiB); each
test has a facility of its own.
"""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
import pytest

from libs.events.ids import new_id
from services.identity.adapters.file_seal import FileSeal
from services.identity.adapters.jobs import purge_expired
from services.identity.app.import_rows import RowResult
from services.identity.domain.csv_format import COLUMNS, RESULT_COLUMNS
from services.identity.settings import IdentitySettings
from services.identity.tests.users_support import (
    Client,
    Place,
    TerminalsService,
    add_targets,
    create,
    csv_file,
    download,
    export_csv,
    finished,
    import_csv,
    last_day,
    new_facility,
    parse_csv,
    shifted,
    terminals_known,
    wait_for,
)

Shared = tuple[Client, IdentitySettings]


@pytest.fixture
async def place(shared_app: Client) -> Place:
    return await new_facility(shared_app)


@pytest.fixture(scope="module")
def terminals(shared_identity: Shared) -> TerminalsService:
    return TerminalsService(shared_identity[1])


async def upload(client: Client, place: Place, content: bytes) -> Any:
    return await client.post(
        f"{place.jobs}/user-import",
        content=content,
        headers={**place.headers(), "content-type": "text/csv"},
    )


async def event_count(db: asyncpg.Pool, place: Place) -> int:
    return int(await db.fetchval("SELECT count(*) FROM events WHERE facility = $1", place.code))


def manual_rows(code: str) -> list[list[str]]:
    """The sample of manual 3.3 (3), rows 2–21, columns A–K (no 認証連携先).

    The screenshot cuts long cells; they are completed the way the list above them shows
    (``operation-user01@n…`` is ``operation-user01@nec.com``, ``998-op…`` is one of the
    facility's groups). Its ``888-us40685_002`` is a terminal of facility 888, which no
    admin of 998 could assign (K1, T3): the facility's own ``998-operation-group02``
    stands in for it.
    """
    group = "998-operation-group0"
    both = f"{group}2,{group}1"
    spec = [
        (1, 1, "AA:BB:CC:DD:EE:FF", both, "8:30", "17:30", "承認後に許可"),
        (2, 2, "00:11:22:33:44:55", both, "8:30", "17:30", "拒否"),
        (3, 3, "00:11:22:33:44:55", both, "8:30", "17:30", "拒否"),
        (4, 4, "00:11:22:33:44:55", f"{group}2", "", "", "拒否"),
        (5, 5, "00:11:22:33:44:55", both, "8:30", "17:30", "拒否"),
        (6, 6, "00:11:22:33:44:55", both, "8:30", "17:30", "拒否"),
        (7, 7, "00:11:22:33:44:55", both, "8:30", "17:30", "拒否"),
        (8, 8, "00:11:22:33:44:55", f"{group}2", "", "", "拒否"),
        (9, 9, "00:11:22:33:44:55", both, "8:30", "17:30", "拒否"),
        (10, 10, "00:11:22:33:44:55", both, "8:30", "17:30", "拒否"),
        (11, 11, "00:11:22:33:44:55", both, "8:30", "17:30", "拒否"),
        (12, 12, "00:11:22:33:44:55", "", "", "", "常に許可"),
        (13, 12, "00:11:22:33:44:55", f"{group}1,{group}3", "8:30", "17:30", "常に許可"),
        (14, 13, "00:11:22:33:44:55", f"{group}1", "8:30", "17:30", "常に許可"),
        (15, 14, "00:11:22:33:44:55", f"{group}3", "8:30", "17:30", "常に許可"),
        (16, 15, "00:11:22:33:44:55", "", "", "", "常に許可"),
        (17, 16, "00:11:22:33:44:55", f"{group}1,{group}3", "8:30", "17:30", "常に許可"),
        (18, 17, "00:11:22:33:44:55", f"{group}1", "8:30", "17:30", "常に許可"),
        (19, 18, "00:11:22:33:44:55", f"{group}3", "8:30", "17:30", "常に許可"),
        (
            20,
            19,
            "11:22:33:44:55:66,22:33:44:55:66:77,33:44:55:66:77:88",
            "",
            "8:30",
            "17:30",
            "常に許可",
        ),
    ]
    return [
        [
            f"{code}-operation-user{n:02d}@nrasdev.onmicrosoft.com",
            "operation",
            f"user{n:02d}",
            f"operation-user{mail:02d}@nec.com",
            "2024/12/1",
            "2026/3/31",
            macs,
            cell,
            start,
            end,
            share,
        ]
        for n, mail, macs, cell, start, end, share in spec
    ]


async def test_u6_the_manual_sample_of_3_3_imports_as_the_manual_shows(
    shared_app: Client, shared_db: asyncpg.Pool, terminals: TerminalsService
) -> None:
    place = await new_facility(shared_app, "998")
    ids = [await terminals.create("998", f"998-operation-group0{i}") for i in (1, 2, 3)]
    await terminals_known(shared_db, ids)
    job, rows = await import_csv(shared_app, place, csv_file(manual_rows("998")))
    assert list(rows[0]) == [*COLUMNS, *RESULT_COLUMNS]  # the result's header, as in (6)
    assert (job["total_rows"], job["created_rows"], job["failed_rows"]) == (20, 20, 0)
    assert [row["更新内容"] for row in rows] == ["新規作成"] * 20
    assert all(row["エラー内容"] == "" for row in rows)
    assert all(len(row["初期パスワード"]) >= 20 and row["初期第二パスワード"] for row in rows)
    assert rows[0]["MACアドレス"] == "AA:BB:CC:DD:EE:FF"  # each row repeated as uploaded
    assert rows[0]["有効開始日"] == "2024/12/1"

    listed = await shared_app.get(place.users, params={"limit": 50}, headers=place.headers())
    users = {u["name"]: u for u in listed.json()["items"]}
    first, twelfth, twentieth = (
        users["operation-user01"],
        users["operation-user12"],
        users["operation-user20"],
    )
    assert first["account"] == "998-operation-user01@nrasdev.onmicrosoft.com"
    assert (
        first["display_name"] == "operation user01" and first["email"] == "operation-user01@nec.com"
    )
    assert (first["valid_from"], first["valid_until"]) == ("2024-12-01", "2026-03-31")
    assert first["hours"] == {"start": "08:30", "end": "17:30"}
    assert first["file_share_label"] == "承認後に許可"
    assert [t["name"] for t in first["terminals"]] == [
        "998-operation-group01",
        "998-operation-group02",
    ]
    assert twelfth["hours"] is None and twelfth["terminals"] == []  # 常に許可, ---
    assert users["operation-user13"]["email"] == "operation-user12@nec.com"  # shared address
    assert twentieth["macs"] == ["11:22:33:44:55:66", "22:33:44:55:66:77", "33:44:55:66:77:88"]


async def test_u6_the_same_file_twice_changes_nothing_the_second_time(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    content = csv_file(
        [
            [
                place.account("a01"),
                "Sato",
                "Ichiro",
                "a01@example.jp",
                "2024/12/1",
                "2026/3/31",
                "aa-bb-cc-dd-ee-01",
                "",
                "8:30",
                "17:30",
                "拒否",
            ],
            [
                place.account("a02"),
                "佐藤",
                "",
                "a02@example.jp",
                "2024-12-01",
                "2026/03/31",
                "AABBCCDDEE02,00:11:22:33:44:55",
                "",
                "",
                "",
                "常に許可",
            ],
        ]
    )
    first, _ = await import_csv(shared_app, place, content)
    assert first["created_rows"] == 2
    before = await event_count(shared_db, place)
    second, rows = await import_csv(shared_app, place, content)
    assert (second["unchanged_rows"], second["created_rows"], second["updated_rows"]) == (2, 0, 0)
    assert [row["更新内容"] for row in rows] == ["変更なし", "変更なし"]
    assert all(row["初期パスワード"] == "" for row in rows)
    assert await event_count(shared_db, place) == before


async def test_u6_export_then_import_changes_nothing_tricky_values_included(
    shared_app: Client,
    shared_db: asyncpg.Pool,
    place: Place,
    terminals: TerminalsService,
) -> None:
    comma = await terminals.create(place.code, f"{place.code}-group,01")
    local = await terminals.create(place.code, f"{place.code}-踏み台端末02(Local)")
    await terminals_known(shared_db, [comma, local])
    await create(
        shared_app,
        place,
        "t01",
        family_name="=SUM(A1)",
        given_name='"quoted", yes',
        terminals=[comma, local],
    )
    await create(
        shared_app,
        place,
        "t02",
        family_name="-1+2",
        given_name="@cmd",
        email="+x@example.jp",
        hours={"start": "22:00", "end": "06:00"},
    )
    await create(
        shared_app,
        place,
        "t03",
        family_name="'=already",
        given_name="山田\u3000花子",
        macs=[],
        file_share="always",
    )
    await create(
        shared_app,
        place,
        "t04",
        family_name="田中",
        given_name="",
        valid_until=last_day().isoformat(),
        file_share="approval",
    )
    exported = await export_csv(shared_app, place)
    assert [row["アカウント"] for row in exported] == [place.account(f"t0{i}") for i in range(1, 5)]
    assert exported[0]["姓"] == "'=SUM(A1)" and exported[1]["姓"] == "'-1+2"  # defused
    assert exported[1]["メールアドレス"] == "'+x@example.jp"
    assert exported[0]["接続端末"] == f"{place.code}-group,01,{place.code}-踏み台端末02(Local)"
    assert exported[1]["開始時間"] == "22:00" and exported[1]["終了時間"] == "06:00"
    before = await event_count(shared_db, place)
    job, rows = await import_csv(
        shared_app, place, csv_file([[row[c] for c in COLUMNS] for row in exported], header=COLUMNS)
    )
    assert job["unchanged_rows"] == 4, rows
    assert await event_count(shared_db, place) == before
    assert await export_csv(shared_app, place) == exported


async def test_u6_export_job_is_listed_with_status_size_and_days_left(
    shared_app: Client, place: Place
) -> None:
    await create(shared_app, place, "someone")
    queued = await shared_app.post(f"{place.jobs}/user-export", headers=place.headers())
    assert queued.status_code == 202
    assert (queued.json()["status"], queued.json()["status_label"]) == ("queued", "待機中")
    assert queued.json()["kind_label"] == "ユーザー一覧"
    job = await finished(shared_app, place, queued.json()["job_id"])
    assert (job["status"], job["status_label"]) == ("done", "完了")
    assert job["remaining_days"] == 2  # kept 3 days: 「残り2日」 just after it is made
    assert job["file_size"] > 0 and job["finished_at"] and job["downloadable"]
    content = await download(shared_app, place, job["job_id"])
    assert len(content) == job["file_size"]
    assert content.startswith(b"\xef\xbb\xbf" + ",".join(COLUMNS).encode())
    assert b"\r\n" in content
    listed = await shared_app.get(place.jobs, params={"status": "done"}, headers=place.headers())
    assert [j["job_id"] for j in listed.json()["items"]] == [job["job_id"]]
    none = await shared_app.get(place.jobs, params={"status": "failed"}, headers=place.headers())
    assert none.json()["items"] == []
    bad = await shared_app.get(place.jobs, params={"status": "lost"}, headers=place.headers())
    assert bad.status_code == 400


async def test_u6_rows_update_create_or_fail_whole_naming_their_columns(
    shared_app: Client,
    shared_db: asyncpg.Pool,
    place: Place,
    terminals: TerminalsService,
) -> None:
    group = await terminals.create(place.code, f"{place.code}-group01")
    await terminals_known(shared_db, [group])
    existing = (await create(shared_app, place, "u01", hours={"start": "08:30", "end": "17:30"}))[
        "user"
    ]
    other = await new_facility(shared_app)
    ok_row = [
        existing["account"].upper(),
        "operation",
        "u01",
        "changed@example.jp",
        "2024/12/1",
        last_day().strftime("%Y/%m/%d"),
        "00-11-22-33-44-55",
        f"{place.code}-GROUP01",
        "8:30",
        "18:00",
        "拒否",
    ]
    rows = [
        ok_row,  # update by account, any case
        [
            "u02",
            "新規",
            "",
            "u02@example.jp",
            "2025/1/1",
            "2025/12/31",
            "",
            "",
            "",
            "",
            "",
        ],  # name only
        [
            place.account("u03"),
            "",
            "x\x01",
            "bad",
            "2025/13/1",
            shifted(last_day(), 1).replace("-", "/"),
            "zz",
            f"{place.code}-nope",
            "8:15",
            "",
            "たまに",
        ],
        [
            place.account("u04"),
            "Good",
            "Profile",
            "u04@example.jp",
            "2025/1/1",
            "2025/12/31",
            "",
            f"{place.code}-group01,{place.code}-ghost",
            "",
            "",
            "",
        ],
        [
            other.account("u05"),
            "Other",
            "Facility",
            "u05@example.jp",
            "2025/1/1",
            "2025/12/31",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            f"{place.code}-admin01@nrasdev.onmicrosoft.com",
            "Admin",
            "",
            "a@example.jp",
            "2025/1/1",
            "2025/12/31",
            "",
            "",
            "",
            "",
            "",
        ],
        ["u02", "Repeat", "", "u02b@example.jp", "2025/1/1", "2025/12/31", "", "", "", "", ""],
        ["", "NoAccount", "", "n@example.jp", "2025/1/1", "2025/12/31", "", "", "", "", ""],
    ]
    job, result = await import_csv(shared_app, place, csv_file(rows))
    assert (job["created_rows"], job["updated_rows"], job["failed_rows"]) == (1, 1, 6)
    assert result[0]["更新内容"] == "メールアドレス、接続端末、終了時間"
    assert result[1]["更新内容"] == "新規作成" and result[1]["初期パスワード"]
    errors = result[2]["エラー内容"]
    for column in (
        "姓",
        "名",
        "メールアドレス",
        "有効開始日",
        "MACアドレス",
        "接続端末",
        "開始時間",
        "ファイル共有",
    ):
        assert f"{column}: " in errors, (column, errors)
    assert f"{place.code}-nope" in errors
    assert result[3]["エラー内容"].startswith("接続端末: ") and "ghost" in result[3]["エラー内容"]
    assert result[4]["エラー内容"].startswith("アカウント: ")  # another facility's account
    assert "管理者" in result[5]["エラー内容"]
    assert result[6]["エラー内容"].startswith("アカウント: 同じアカウント")
    assert result[7]["エラー内容"].startswith("アカウント: ")
    assert all(row["初期パスワード"] == "" for i, row in enumerate(result) if i != 1)
    # Failed rows applied nothing, not even the valid part (u04's known terminal).
    listed = (await shared_app.get(place.users, headers=place.headers())).json()["items"]
    assert sorted(u["name"] for u in listed) == ["u01", "u02"]
    u01 = next(u for u in listed if u["name"] == "u01")
    assert (u01["email"], u01["hours"], u01["terminals"][0]["terminal_id"]) == (
        "changed@example.jp",
        {"start": "08:30", "end": "18:00"},
        group,
    )


async def test_u6_federation_column_is_optional_and_leaves_targets_when_absent(
    shared_app: Client, place: Place
) -> None:
    await add_targets(shared_app, place, "Box", "Teams")
    user = (await create(shared_app, place, "f01", federation_targets=["Box"]))["user"]
    row = [
        user["account"],
        "operation",
        "f01",
        user["email"],
        "2024/12/1",
        user["valid_until"],
        "00:11:22:33:44:55",
        "",
        "",
        "",
        "拒否",
    ]
    _, rows = await import_csv(shared_app, place, csv_file([row]))
    assert rows[0]["更新内容"] == "変更なし"
    _, rows = await import_csv(shared_app, place, csv_file([[*row, "Teams,Box"]], header=COLUMNS))
    assert rows[0]["更新内容"] == "認証連携先"
    _, rows = await import_csv(shared_app, place, csv_file([[*row, "Slack"]], header=COLUMNS))
    assert rows[0]["エラー内容"].startswith("認証連携先: ")
    read = (
        await shared_app.get(f"{place.users}/{user['user_id']}", headers=place.headers())
    ).json()
    assert read["federation_targets"] == ["Box", "Teams"]


async def test_u6_cp932_and_utf8_without_bom_are_read(shared_app: Client, place: Place) -> None:
    row = [
        place.account("sjis"),
        "山田",
        "太郎",
        "sjis@example.jp",
        "2025/4/1",
        "2025/12/31",
        "",
        "",
        "",
        "",
        "承認後に許可",
    ]
    _, rows = await import_csv(shared_app, place, csv_file([row], encoding="cp932"))
    assert rows[0]["更新内容"] == "新規作成" and rows[0]["姓"] == "山田"
    _, rows = await import_csv(shared_app, place, csv_file([row], bom=False))
    assert rows[0]["更新内容"] == "変更なし"
    listed = (await shared_app.get(place.users, headers=place.headers())).json()["items"]
    assert (listed[0]["display_name"], listed[0]["file_share"]) == ("山田 太郎", "approval")


async def test_u6_whole_file_refusals_have_a_code_and_a_japanese_message(
    shared_app: Client, shared_identity: Shared, place: Place
) -> None:
    limits = shared_identity[1].own
    row = [
        place.account("w01"),
        "A",
        "",
        "a@example.jp",
        "2025/1/1",
        "2025/12/31",
        "",
        "",
        "",
        "",
        "",
    ]
    cases: list[tuple[bytes, int, str]] = [
        (
            csv_file([row], header=[c for c in COLUMNS[:-1] if c != "メールアドレス"]),
            400,
            "csv_columns_missing",
        ),
        (b"", 400, "csv_columns_missing"),
        (",".join(COLUMNS).encode("utf-16"), 400, "csv_encoding_unreadable"),
        (b"\xef\xbb\xbf\xff\xfe\xfa", 400, "csv_encoding_unreadable"),
        (csv_file([row] * (limits.csv_max_rows + 1)), 400, "csv_too_many_rows"),
        (b"x" * (limits.csv_max_bytes + 1), 413, "csv_too_large"),
        (csv_file([["x" * 140_000]]), 400, "csv_malformed"),
    ]
    for content, status, code in cases:
        response = await upload(shared_app, place, content)
        assert response.status_code == status, (code, response.text)
        problem = response.json()
        assert problem["code"] == code and not problem["title"].isascii()
    missing = await upload(shared_app, place, cases[0][0])
    assert [e["field"] for e in missing.json()["errors"]] == ["メールアドレス"]
    huge = await upload(shared_app, place, b"x" * (limits.csv_max_bytes + 2 * 1024 * 1024))
    assert huge.status_code == 413
    at_limit = csv_file([row] * limits.csv_max_rows)
    assert len(at_limit) <= limits.csv_max_bytes
    accepted = await upload(shared_app, place, at_limit)
    assert accepted.status_code == 202
    job = await finished(shared_app, place, accepted.json()["job_id"])
    assert job["failed_rows"] == limits.csv_max_rows - 1  # the account repeats on every later row
    jobs = (await shared_app.get(place.jobs, headers=place.headers())).json()["items"]
    assert len(jobs) == 1  # refused files never became jobs


def _fuzz_cells(rng: random.Random, code: str, n: int) -> list[str]:
    """One row whose every cell is valid or broken at random (quotes, newlines, junk)."""
    pick = rng.choice
    return [
        pick(
            [
                f"{code}-fz{n:03d}@nrasdev.onmicrosoft.com",
                f"fz{n:03d}",
                "",
                "-x-",
                f"{code}-fz{n:03d}@other.example",
            ]
        ),
        pick(["山田", 'O"Brien', "a\nb", "=1+1", "", "x" * 70, "\u202e"]),
        pick(["", "太郎", "\t", '",,"']),
        pick([f"fz{n}@example.jp", "bad", "", 'q"@example.jp']),
        pick(["2024/12/1", "2024-12-01", "2024/2/30", "", "yesterday"]),
        pick(["2025/12/31", "2099/1/1", "2020/1/1", ""]),
        pick(
            [
                "",
                "00-11-22-33-44-55",
                "aa:bb:cc:dd:ee:ff,AABBCCDDEEF0",
                "zz",
                "00:11:22:33:44:55,00-11-22-33-44-55",
            ]
        ),
        pick(["", f"{code}-grp", f"{code}-grp,{code}-none", "\r\n"]),
        pick(["", "8:30", "08:45", "24:00"]),
        pick(["", "17:30", "6:00", "x"]),
        pick(["", "拒否", "常に許可", "承認後に許可", "maybe"]),
    ]


async def test_u6_fuzzed_uploads_never_fail_the_server_nor_half_apply_a_row(
    shared_app: Client,
    shared_db: asyncpg.Pool,
    terminals: TerminalsService,
) -> None:
    rng = random.Random(20260407)
    for round_no in range(8):
        place = await new_facility(shared_app)
        grp = await terminals.create(place.code, f"{place.code}-grp")
        await terminals_known(shared_db, [grp])
        rows = [_fuzz_cells(rng, place.code, n) for n in range(rng.randrange(1, 25))]
        content = (
            csv_file(rows, encoding=rng.choice(["utf-8", "cp932"]), bom=rng.random() < 0.5)
            if rng.random() < 0.8
            else bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 3000)))
        )
        if rng.random() < 0.3 and content:  # flip some bytes of whatever it is
            mutable = bytearray(content)
            for _ in range(rng.randrange(1, 6)):
                mutable[rng.randrange(len(mutable))] = rng.getrandbits(8)
            content = bytes(mutable)
        response = await upload(shared_app, place, content)
        assert response.status_code in (202, 400, 413), (round_no, response.text)
        if response.status_code != 202:
            assert response.json()["code"].startswith("csv_")
            continue
        job = await finished(shared_app, place, response.json()["job_id"])
        assert job["status"] == "done", job
        result = parse_csv(await download(shared_app, place, job["job_id"]))
        assert len(result) == job["total_rows"]
        created = [row for row in result if row["更新内容"] == "新規作成"]
        failed = [row for row in result if row["エラー内容"]]
        assert len(created) + len(failed) == len(result)
        users = {
            u["account"]: u
            for u in (
                await shared_app.get(place.users, params={"limit": 200}, headers=place.headers())
            ).json()["items"]
        }
        assert len(users) == len(created)
        for row in created:  # whole rows: every MAC and terminal of the row is there
            user = users[
                row["アカウント"]
                if "@" in row["アカウント"]
                else place.account(row["アカウント"].strip())
            ]
            macs = [m for m in row["MACアドレス"].split(",") if m.strip()]
            assert len(user["macs"]) == len(macs)
            assert len(user["terminals"]) == len(
                [t for t in row["接続端末"].split(",") if t.strip()]
            )
        names = await shared_db.fetch(
            "SELECT type FROM events WHERE facility = $1 AND type LIKE 'User%'", place.code
        )
        assert [r["type"] for r in names] == ["UserCreated.v1"] * len(created)


async def test_u6_progress_is_visible_while_an_import_runs(
    shared_app: Client, place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Beat often: on a quiet machine 900 rows import within one half-second beat.
    monkeypatch.setattr("services.identity.adapters.job_runner.HEARTBEAT_S", 0.02)
    rows = [
        [
            place.account(f"p{n:04d}"),
            "Progress",
            f"{n}",
            f"p{n}@example.jp",
            "2025/1/1",
            "2025/12/31",
            "00-11-22-33-44-55",
            "",
            "8:30",
            "17:30",
            "拒否",
        ]
        for n in range(900)
    ]
    response = await upload(shared_app, place, csv_file(rows))
    job_id = response.json()["job_id"]
    samples: list[tuple[str, int]] = []

    async def over() -> bool:
        job = (await shared_app.get(f"{place.jobs}/{job_id}", headers=place.headers())).json()
        samples.append((job["status"], job["done_rows"]))
        return job["status"] in ("done", "failed")

    await wait_for(over, timeout=60)
    running = [done for status, done in samples if status == "running"]
    assert any(0 < done < 900 for done in running), samples
    assert samples[-1] == ("done", 900)
    assert running == sorted(running)


async def test_u6_an_interrupted_import_is_resumed_and_a_stuck_one_fails(
    shared_app: Client, shared_db: asyncpg.Pool, shared_identity: Shared, place: Place
) -> None:
    """A job whose worker died (stale heartbeat) is taken over; rows it applied keep their result."""
    done_before = (await create(shared_app, place, "r01"))["user"]
    rows = [
        [
            done_before["account"],
            "operation",
            "r01",
            done_before["email"],
            "2024/12/1",
            done_before["valid_until"].replace("-", "/"),
            "00:11:22:33:44:55",
            "",
            "",
            "",
            "拒否",
        ],
        [
            place.account("r02"),
            "operation",
            "r02",
            "r02@example.jp",
            "2025/1/1",
            "2025/12/31",
            "",
            "",
            "",
            "",
            "拒否",
        ],
    ]
    facility_id = await shared_db.fetchval(
        "SELECT facility_id FROM facilities WHERE code = $1", place.code
    )
    seal = FileSeal(shared_identity[1].own.totp_key)
    resumed, stuck = new_id(), new_id()
    old = datetime.now(UTC) - timedelta(hours=1)
    for job_id, attempts in ((resumed, 1), (stuck, 3)):
        await shared_db.execute(
            """INSERT INTO jobs (job_id, facility_id, kind, status, actor_id, actor_role, created_at,
                   started_at, heartbeat_at, attempts, input, total_rows, claim)
               VALUES ($1, $2, 'user_import', 'running', $3, 'admin', $4, $4, $4, $5, $6, 2, 'dead')""",
            job_id,
            facility_id,
            place.admin_account,
            old,
            attempts,
            csv_file(rows),
        )
    # The dead worker had applied row 1 (a new user then) and sealed its result.
    earlier = RowResult(
        password="Earlier-Initial-Pw-123",
        second_password="Earlier-Second-456",
        change="新規作成",
        outcome="created",
    )
    await shared_db.execute(
        "INSERT INTO job_rows (job_id, row_no, sealed) VALUES ($1, 1, $2)",
        resumed,
        seal.seal(msgspec.msgpack.encode(earlier), f"job:{resumed}:row:1"),
    )
    job = await finished(shared_app, place, resumed)
    assert job["status"] == "done" and (job["created_rows"], job["total_rows"]) == (2, 2)
    result = parse_csv(await download(shared_app, place, resumed))
    assert [r["更新内容"] for r in result] == ["新規作成", "新規作成"]
    assert result[0]["初期パスワード"] == "Earlier-Initial-Pw-123"
    assert result[1]["初期パスワード"] and result[1]["初期パスワード"] != "Earlier-Initial-Pw-123"
    failed = await finished(shared_app, place, stuck)
    assert (failed["status"], failed["error_code"]) == ("failed", "job_interrupted")
    assert not failed["error_message"].isascii() and not failed["downloadable"]
    assert (
        await shared_db.fetchval(
            "SELECT count(*) FROM job_rows WHERE job_id = ANY($1)", [resumed, stuck]
        )
        == 0
    )


async def test_u6_files_expire_after_their_keep_days(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    await create(shared_app, place, "e01")
    queued = await shared_app.post(f"{place.jobs}/user-export", headers=place.headers())
    job = await finished(shared_app, place, queued.json()["job_id"])
    busy = new_id()  # a job another replica is running right now (fresh heartbeat)
    await shared_db.execute(
        """INSERT INTO jobs (job_id, facility_id, kind, status, actor_id, actor_role, created_at,
               heartbeat_at, attempts, claim)
           SELECT $1, facility_id, 'user_export', 'running', 'x', 'admin', now(), now(), 1, 'alive'
           FROM facilities WHERE code = $2""",
        busy,
        place.code,
    )
    not_ready = await shared_app.get(f"{place.jobs}/{busy}/file", headers=place.headers())
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "job_not_ready"
    await shared_db.execute(
        "UPDATE jobs SET expires_at = now() - interval '1 second' WHERE job_id = $1", job["job_id"]
    )
    gone = await shared_app.get(f"{place.jobs}/{job['job_id']}/file", headers=place.headers())
    assert gone.status_code == 404 and gone.json()["code"] == "job_not_found"
    listed = (await shared_app.get(f"{place.jobs}/{job['job_id']}", headers=place.headers())).json()
    assert listed["remaining_days"] == 0 and not listed["downloadable"]
    async with shared_db.acquire() as conn:
        assert await purge_expired(conn, datetime.now(UTC)) >= 1
    assert (
        await shared_app.get(f"{place.jobs}/{job['job_id']}", headers=place.headers())
    ).status_code == 404
