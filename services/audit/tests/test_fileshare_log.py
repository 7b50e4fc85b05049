"""ファイル共有 from the fileshare context's real events: columns, filters, links (SPEC A1, A4, A7)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from libs.events.ids import new_id
from services.audit.tests import builders as b
from services.audit.tests.conftest import Audit

TOKYO = ZoneInfo("Asia/Tokyo")


async def test_a1_a7_fileshare_rows_follow_their_share_and_link_only_clean_allowed_files(
    audit: Audit,
) -> None:
    t = datetime(2025, 3, 23, 9, 35, 36, tzinfo=TOKYO)
    second = timedelta(seconds=1)
    clean, waiting, approved, denied, infected, expired = (new_id() for _ in range(6))
    files = [("電子カルテログ_20250520.txt", 138_000), ("a.txt", 900), ("b.txt", 87)]
    upload = b.uploaded(clean, files, t)
    await audit.publish(
        upload,
        b.share_event(clean, "available", t + second, 5),
        b.uploaded(waiting, [("電子カルテログ_20250522.txt", 15)], t - 15 * second,
                   needs_approval=True, direction="inside"),
        b.uploaded(approved, [("x.log", 5 * 1024**2)], t - 60 * second, needs_approval=True),
        b.share_event(approved, "awaiting", t - 50 * second, 3),
        b.share_event(approved, "approved", t + timedelta(hours=1), 4),
        b.uploaded(denied, [("y.log", 2048)], t - 120 * second, needs_approval=True),
        b.share_event(denied, "awaiting", t - 110 * second, 3),
        b.share_event(denied, "denied", t, 4),
        b.share_event(denied, "approved", t + second, 5),  # a second decision does not count
        b.uploaded(infected, [("z.exe", 1)], t - 180 * second, needs_approval=True),
        b.share_event(infected, "infected", t - 170 * second, 3),
        b.uploaded(expired, [("old.txt", 3)], t - 240 * second),
        b.share_event(expired, "available", t - 230 * second, 3),
        b.share_event(expired, "expired", t - 220 * second, 4),
    )  # fmt: skip
    first_file = upload.data.files[0]  # type: ignore[union-attr]
    download = b.downloaded(clean, first_file.file_id, first_file.name, first_file.size,
                            t + 2 * second)  # fmt: skip
    await audit.publish(download)

    body = await audit.page("fileshare")
    assert [c["label"] for c in body["columns"]] == [
        "処理時間", "アカウント", "ユーザー名", "処理", "ファイル名", "容量", "院内外", "共有理由",
        "検査結果", "承認", "承認/否認時間",
    ]  # fmt: skip
    rows = {row["id"]: row for row in body["rows"]}
    assert rows[clean]["cells"] == [
        "2025/03/23 09:35:36", b.account("operation-user01"), "operation user02", "Upload",
        "電子カルテログ_20250520.txt_他2件", "135.73 KB", "院外", b.PURPOSE, "脅威なし", "不要", "",
    ]  # fmt: skip
    assert rows[waiting]["cells"][4:10] == [
        "電子カルテログ_20250522.txt", "15.00 B", "院内", b.PURPOSE, "検査待ち", "承認待ち"
    ]  # fmt: skip
    assert rows[approved]["cells"][5] == "5.00 MB"
    assert rows[approved]["cells"][8:] == ["脅威なし", "承認", "2025/03/23 10:35:36"]
    assert rows[denied]["cells"][8:] == ["脅威なし", "否認", "2025/03/23 09:35:36"]
    assert rows[infected]["cells"][8:] == ["脅威あり", "不要", ""]
    # Every download is a row of its own, naming the downloader (SPEC A7).
    downloaded = rows[download.aggregate_id]
    assert downloaded["cells"][:7] == [
        "2025/03/23 09:35:38", b.account("operation-admin01"), "", "Download",
        "電子カルテログ_20250520.txt", "134.77 KB", "院内",
    ]  # fmt: skip
    assert downloaded["share_id"] == clean
    # SPEC A7: links only for clean, allowed shares within their download period.
    assert {row_id: row["downloadable"] for row_id, row in rows.items()} == {
        clean: True, waiting: False, approved: True, denied: False, infected: False,
        expired: False, download.aggregate_id: False,
    }  # fmt: skip
    assert [(f["id"], f["name"]) for f in rows[clean]["files"]] == [
        (f.file_id, f.name)
        for f in upload.data.files  # type: ignore[union-attr]
    ]
    assert rows[clean]["download_until"] is not None
    audit.clock.now = t + timedelta(days=91)
    later = await audit.page(
        "fileshare", period="custom", **{"from": "2025/03/23", "to": "2025/03/23"}
    )
    assert not any(row["downloadable"] for row in later["rows"])  # the period is over

    async def ids(*filters: str) -> set[str]:
        page = await audit.page("fileshare", period="custom", filter=list(filters),
                                **{"from": "2025/03/23", "to": "2025/03/23"})  # fmt: skip
        return {row["id"] for row in page["rows"]}

    uploads = {clean, waiting, approved, denied, infected, expired}
    assert await ids("time:2025/03/23 09:35") == {clean, waiting, download.aggregate_id}
    assert await ids("account:user01") == uploads
    assert await ids("account:admin01") == {download.aggregate_id}
    assert await ids("user_name:USER02") == uploads
    assert await ids("action:Download") == {download.aggregate_id}
    assert await ids("file_name:b.txt") == {clean}  # any of the share's files
    assert await ids("size:1 MB") == {approved}
    assert await ids("network:院内") == {waiting, download.aggregate_id}
    assert await ids("purpose:amo-zzz") == uploads | {download.aggregate_id}
    assert await ids("scan:脅威あり") == {infected}
    assert await ids("approval:否認") == {denied}
    assert await ids("decided:2025/03/23 10") == {approved}

    # The admin's decisions and downloads are operations too.
    operations = await audit.page(
        "operations", period="custom", **{"from": "2025/03/23", "to": "2025/03/23"}
    )
    who = b.account("operation-user01")
    assert sorted(row["cells"][3] for row in operations["rows"]) == sorted(
        [
            f"「{who}」のファイル共有を承認",
            f"「{who}」のファイル共有を否認",
            f"「{who}」のファイル共有を承認",  # the late second decision is still an action
            f"「{who}」が共有したファイル「電子カルテログ_20250520.txt」をダウンロード",
        ]
    )
