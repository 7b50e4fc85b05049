"""「CSV出力」 (at most 1,000 rows) and the full export job behind 出力一覧 (SPEC A5, T3)."""

import asyncio
import csv
import io
import time
from datetime import timedelta

import pytest

from libs.events.ids import new_id
from services.audit.settings import AuditOwn
from services.audit.tests import builders as b
from services.audit.tests.callers import bearer
from services.audit.tests.conftest import Audit, admin

SIGNINS = "/internal/v1/facilities/998/logs/signins"


@pytest.fixture
def own() -> AuditOwn:
    # Small chunks: a file of a few hundred kB is written and read back in many pieces.
    return AuditOwn(purge_enabled=False, export_poll_s=0.1, export_chunk_bytes=4096)


def parse(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


async def test_a5_csv_is_the_current_query_newest_first_capped_at_1000_with_a_flag(
    audit: Audit,
) -> None:
    start = audit.clock.now - timedelta(days=2)
    await audit.publish(
        *(b.signin(f"u{i:04d}", start + timedelta(seconds=i)) for i in range(1001)),
        b.signin("other facility", start, code="997"),
    )
    response = await audit.client.get(SIGNINS + "/csv", headers=admin())
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["fumidai-csv-truncated"] == "true"
    assert response.headers["fumidai-csv-rows"] == "1000"
    table = parse(response.content)
    assert table[0] == [
        "ログイン時間",
        "ユーザー名",
        "アカウント",
        "アプリ名",
        "状態",
        "接続元IPアドレス",
    ]
    assert [row[2] for row in table[1:]] == [f"u{i:04d}" for i in reversed(range(1, 1001))]
    assert (await audit.page("signins"))["more_than_csv_limit"] is True

    # The same period and filters as the screen: here ten rows, not cut.
    narrowed = await audit.client.get(
        SIGNINS + "/csv", params={"filter": "account:u099"}, headers=admin()
    )
    assert narrowed.headers["fumidai-csv-truncated"] == "false"
    assert [row[2] for row in parse(narrowed.content)[1:]] == ["u0999", "u0998", "u0997",
        "u0996", "u0995", "u0994", "u0993", "u0992", "u0991", "u0990"]  # fmt: skip


async def test_a5_cells_a_spreadsheet_would_run_are_escaped(audit: Audit) -> None:
    user_id = new_id()
    now = audit.clock.now
    await audit.publish(b.user(user_id, "evil", '=HYPERLINK("x")', "", now - timedelta(days=1)))
    await audit.publish(
        b.signin("+1+2", now - timedelta(minutes=1)),
        b.signin("-2", now - timedelta(minutes=2)),
        b.signin("@SUM(A1)", now - timedelta(minutes=3)),
        b.signin("\tTAB", now - timedelta(minutes=4)),
        b.signin("\rCR", now - timedelta(minutes=5)),
        b.signin("evil", now - timedelta(minutes=6), account_id=user_id),
        b.signin("plain-=", now - timedelta(minutes=7)),
    )
    table = parse((await audit.client.get(SIGNINS + "/csv", headers=admin())).content)
    assert [row[2] for row in table[1:]] == [
        "'+1+2", "'-2", "'@SUM(A1)", "'\tTAB", "'\rCR", "evil", "plain-="
    ]  # fmt: skip
    assert table[6][1] == '\'=HYPERLINK("x")'
    # The screen shows the text as it is: escaping is for spreadsheets only.
    rows = (await audit.page("signins"))["rows"]
    assert rows[0]["cells"][2] == "+1+2"


async def test_a5_full_export_job_lists_like_identity_exports_and_downloads_while_valid(
    audit: Audit,
) -> None:
    start = audit.clock.now - timedelta(days=3)
    await audit.publish(
        *(b.signin(f"user-{i:04d}", start + timedelta(seconds=i)) for i in range(1500))
    )
    requested = await audit.client.post(
        SIGNINS + "/exports", json={"period": "7d"}, headers=admin()
    )
    assert requested.status_code == 202, requested.text
    job = requested.json()
    assert job["kind"] == "ログインログ（全件CSV出力）"
    assert job["status"] in ("queued", "running", "done")
    job = await finished(audit, job["id"])
    assert (job["status"], job["status_label"]) == ("done", "完了")
    assert job["row_count"] == 1500
    assert job["remaining_days"] == 3
    assert job["completed_at"] is not None

    listed = (await audit.client.get("/internal/v1/facilities/998/exports", headers=admin())).json()
    assert [j["id"] for j in listed] == [job["id"]]
    for key in ("created_at", "kind", "status_label", "file_size", "completed_at", "expires_at"):
        assert key in listed[0]
    assert (
        await audit.client.get(
            "/internal/v1/facilities/998/exports", params={"status": "failed"}, headers=admin()
        )
    ).json() == []

    file_url = f"/internal/v1/facilities/998/exports/{job['id']}/file"
    download = await audit.client.get(file_url, headers=admin())
    assert download.status_code == 200
    assert len(download.content) == job["file_size"]
    chunks = await audit.pool.fetchval(
        "SELECT count(*) FROM export_chunks WHERE job_id = $1::uuid", job["id"]
    )
    assert chunks > 10  # written and served in pieces, never as one
    table = parse(download.content)
    assert [row[2] for row in table[1:]] == [f"user-{i:04d}" for i in reversed(range(1500))]
    # The same rows as the capped CSV, as far as that goes.
    capped = parse((await audit.client.get(SIGNINS + "/csv", headers=admin())).content)
    assert table[: len(capped)] == capped

    # SPEC T3: another facility's admin cannot see or fetch it.
    other = bearer("997-a@x.example", "admin", "997")
    assert (await audit.client.get(file_url, headers=other)).status_code == 404
    for code in ("998", "997"):
        response = await audit.client.get(
            f"/internal/v1/facilities/{code}/exports/{job['id']}", headers=admin("997")
        )
        assert response.status_code == 404
    assert (
        await audit.client.get("/internal/v1/facilities/997/exports", headers=other)
    ).json() == []

    # After 有効期間 (3 days) it is gone from the list and cannot be downloaded; the purge
    # then deletes its file.
    audit.clock.now = audit.clock.now + timedelta(days=3, seconds=1)
    assert (await audit.client.get(file_url, headers=admin())).status_code == 410
    assert (
        await audit.client.get("/internal/v1/facilities/998/exports", headers=admin())
    ).json() == []
    purged = await audit.client.post(
        "/internal/v1/operator/audit/purge", headers=bearer("ops", "operator", "*")
    )
    assert purged.json()["deleted"]["exports"] == 1
    assert await audit.pool.fetchval("SELECT count(*) FROM export_chunks") == 0


async def finished(audit: Audit, job_id: str, timeout: float = 20.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        response = await audit.client.get(
            f"/internal/v1/facilities/998/exports/{job_id}", headers=admin()
        )
        job: dict[str, object] = response.json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.05)
