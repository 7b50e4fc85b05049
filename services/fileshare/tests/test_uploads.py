"""Uploads, scans and downloads through the real service: uvicorn, PostgreSQL, NATS, clamd."""

import asyncio
import hashlib
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote

from libs.devservers.clamd import EmbeddedClamd
from libs.devservers.ports import free_port
from services.fileshare.contract import MAX_TOTAL_BYTES
from services.fileshare.tests.conftest import Fileshare, StartFileshare
from services.fileshare.tests.samples import (
    EICAR,
    encrypted_zip,
    generated,
    generated_sha256,
    nested_zip,
)
from services.fileshare.tests.world import (
    INSIDE_IP,
    as_admin,
    as_user,
    counted,
    eventually,
    mails,
    manifest_of,
    multipart,
    simple_upload,
)

MINE = "/internal/v1/users/me/shares"
STAFF = "/internal/v1/facilities/998/shares"


async def upload(fs: Fileshare, account: str, files: list[tuple[str, bytes]], **kw: object) -> dict:  # type: ignore[type-arg]
    headers, body = simple_upload("AMO-ZZZZZZZZZZに関する調査のためにログファイルを共有", files)
    ip = str(kw.get("ip", "203.0.113.7"))
    response = await fs.http.post(
        MINE, headers={**headers, **as_user(account, ip=ip)}, content=body
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def nothing_stored(fs: Fileshare) -> bool:
    return (
        await fs.db.fetchval("SELECT count(*) FROM events") == 0
        and await fs.db.fetchval("SELECT count(*) FROM shares") == 0
        and await fs.stored_bytes() == 0
    )


async def test_f3_f4_a_clean_share_of_an_always_user_is_downloadable(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    content = "電子カルテログ 2025-05-20\n".encode() * 1000
    share = await upload(fs, account, [("電子カルテログ_20250520.txt", content), ("b.log", b"x")])
    assert (share["state"], share["scan"], share["scan_label"]) == (
        "available",
        "clean",
        "脅威なし",
    )
    assert share["files_label"] == "電子カルテログ_20250520.txt_他1件"
    assert [f["scan_label"] for f in share["files"]] == ["脅威なし", "脅威なし"]
    file = share["files"][0]
    for headers, path in (
        (as_user(account), f"{MINE}/{share['share_id']}/files/{file['file_id']}"),
        (as_admin(), f"{STAFF}/{share['share_id']}/files/{file['file_id']}"),
    ):
        response = await fs.http.get(path, headers=headers)
        assert response.status_code == 200 and response.content == content
    assert await fs.events() == [
        "ShareUploaded.v1",
        "FileScanned.v1",
        "FileScanned.v1",
        "ShareAvailable.v1",
        "ShareDownloaded.v1",
        "ShareDownloaded.v1",
    ]


async def test_f3_eicar_is_a_threat_and_can_never_be_downloaded(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    infected = await counted(fs.http, "scans", result="infected")
    clean = await counted(fs.http, "scans", result="clean")
    share = await upload(fs, account, [("clean.txt", b"fine"), ("eicar.com", EICAR)])
    # The dashboard's "scans by result" (issue 17): one each.
    assert await counted(fs.http, "scans", result="infected") == infected + 1
    assert await counted(fs.http, "scans", result="clean") == clean + 1
    assert (share["state"], share["scan"], share["scan_label"]) == (
        "blocked",
        "infected",
        "脅威あり",
    )
    eicar = share["files"][1]
    assert eicar["scan_label"] == "脅威あり" and "eicar" in eicar["signature"].lower()
    assert share["files"][0]["scan_label"] == "脅威なし"
    assert not any(f["downloadable"] for f in share["files"]) and share["files_deleted"]
    for file in share["files"]:
        response = await fs.http.get(
            f"{STAFF}/{share['share_id']}/files/{file['file_id']}", headers=as_admin()
        )
        assert response.status_code == 403
        assert response.json()["code"] == "share_not_downloadable"
    assert await fs.stored_bytes() < 1024  # only the objects' deleted markers are left


async def nothing_kept(fs: Fileshare) -> bool:
    """No event, no row, and no file's bytes: a refusal after the files were stored leaves
    at most the deleted objects' markers (ids only), never a chunk."""
    prefix = f"$O.{fs.settings.own.bucket}.C."
    objects = await fs.nc.jetstream().stream_info(fs.bucket_stream, subjects_filter=">")
    chunks = [s for s in objects.state.subjects or {} if s.startswith(prefix)]
    return (
        await fs.db.fetchval("SELECT count(*) FROM events") == 0
        and await fs.db.fetchval("SELECT count(*) FROM shares") == 0
        and chunks == []
    )


async def test_f1_a_password_protected_zip_is_refused_with_its_reason_and_nothing_kept(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    archive = encrypted_zip("患者一覧.csv", "氏名,ID\n山田,1\n".encode(), b"secret")
    headers, body = simple_upload(
        "調査資料", [("手順.txt", "手順書\n".encode() * 100), ("患者一覧.zip", archive)]
    )
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    text = (
        "「患者一覧.zip」はパスワードで保護されているため、ウイルス検査ができず、"
        "アップロードできません。パスワードを解除してからアップロードしてください。"
    )
    assert (problem["code"], problem["title"]) == ("file_unscannable", text)
    assert problem["errors"] == [{"field": "files[1]", "code": "file_encrypted", "message": text}]
    # The clean file streamed in before the archive goes too: all of the upload, or none.
    assert await nothing_kept(fs)

    # No share, so no mail: the next upload's mail is the only one (mails follow events in
    # order, so one for the refused upload would have come first).
    share = await upload(fs, account, [("再送.txt", b"log")])
    [mail] = await mails(fs.mail, 1)
    assert share["share_id"] and "再送.txt" in mail.message.get_content()
    assert "患者一覧" not in mail.message.get_content()


async def test_f1_f8_an_admins_upload_names_every_unscannable_file_and_keeps_nothing(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    archive = encrypted_zip("設定.txt", b"password=1", b"secret")
    headers, body = simple_upload(
        "設定の共有",
        [("設定.zip", archive), ("手順書.pdf", b"%PDF-1.4"), ("ログ.zip", nested_zip(20))],
        recipient=account,
    )
    response = await fs.http.post(STAFF, headers={**headers, **as_admin()}, content=body)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "file_unscannable"
    assert (
        problem["title"] == "ウイルス検査ができないファイルが2件あるため、アップロードできません。"
    )
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("files[0]", "file_encrypted"),
        ("files[2]", "file_scan_limits_exceeded"),
    ]
    assert problem["errors"][0]["message"].startswith("「設定.zip」はパスワードで保護されている")
    assert problem["errors"][1]["message"].startswith("「ログ.zip」はウイルス検査の上限")
    assert await nothing_kept(fs)
    assert (await fs.http.get(STAFF, headers=as_admin())).json()["items"] == []
    assert (await fs.http.get(MINE, headers=as_user(account))).json()["items"] == []


async def test_f1_six_files_are_refused_before_anything_is_stored(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    headers, body = simple_upload("six", [(f"f{i}.txt", b"data") for i in range(6)])
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    assert response.status_code == 400
    assert response.json()["code"] == "upload_too_many_files"
    assert response.json()["title"] == "一度にアップロードできるファイルは最大5つまでです。"
    assert await nothing_stored(fs)


async def test_f1_99_mb_plus_one_byte_is_refused_before_anything_is_stored(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    too_big = MAX_TOTAL_BYTES + 1
    headers, body = multipart(
        manifest_of("big", [("a.bin", too_big)]), [("a.bin", lambda: generated(too_big))]
    )
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert await nothing_stored(fs)


async def test_f1_a_file_longer_than_announced_is_cut_off_and_nothing_is_kept(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    # The manifest claims 99 MB exactly, the body carries one byte more.
    headers, body = multipart(
        manifest_of("liar", [("a.bin", MAX_TOTAL_BYTES)]),
        [("a.bin", lambda: generated(MAX_TOTAL_BYTES + 1))],
    )
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    assert response.status_code == 413
    assert response.json()["code"] == "upload_size_mismatch"
    assert await nothing_stored(fs)


async def test_f1_exactly_99_mb_streams_in_and_out_intact(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    size = MAX_TOTAL_BYTES
    headers, body = multipart(
        manifest_of("99 MB", [("big.bin", size)]), [("big.bin", lambda: generated(size))]
    )
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    assert response.status_code == 201, response.text
    share = response.json()
    assert share["state"] == "available" and share["total_size"] == size
    digest = hashlib.sha256()
    path = f"{MINE}/{share['share_id']}/files/{share['files'][0]['file_id']}"
    async with fs.http.stream("GET", path, headers=as_user(account)) as download:
        assert download.status_code == 200
        assert download.headers["content-length"] == str(size)
        async for chunk in download.aiter_bytes():
            digest.update(chunk)
    assert digest.hexdigest() == generated_sha256(size)


async def test_f1_purpose_is_required_and_at_most_200_characters(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    for purpose, code in (("あ" * 201, "purpose_too_long"), ("", "purpose_required")):
        headers, body = multipart(manifest_of(purpose, [("a.txt", 1)]), [("a.txt", b"a")])
        response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
        assert response.status_code == 400
        assert response.json()["code"] == code
        assert response.json()["errors"][0]["field"] == "purpose"
    assert await nothing_stored(fs)
    headers, body = multipart(manifest_of("あ" * 200, [("a.txt", 1)]), [("a.txt", b"a")])
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    assert response.status_code == 201 and response.json()["purpose"] == "あ" * 200


async def test_f1_a_path_like_name_is_stored_safely_and_shown_as_given(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    share = await upload(fs, account, [("../../etc/passwd", b"root:x:0:0")])
    file = share["files"][0]
    assert file["name"] == "../../etc/passwd" and share["files_label"] == "../../etc/passwd"
    # The bytes live under ids only; the name appears nowhere in the object store.
    objects = await fs.nc.jetstream().stream_info(fs.bucket_stream, subjects_filter=">")
    subjects = objects.state.subjects or {}
    assert subjects and not any("etc" in s or "passwd" in s for s in subjects)
    response = await fs.http.get(
        f"{MINE}/{share['share_id']}/files/{file['file_id']}", headers=as_user(account)
    )
    assert response.content == b"root:x:0:0"
    disposition = response.headers["content-disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "../../etc/passwd"
    stored = await fs.db.fetchval(
        "SELECT name FROM share_files WHERE file_id = $1", file["file_id"]
    )
    assert stored == "../../etc/passwd"


async def test_f4_a_denied_user_is_refused_up_front(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("deny")
    headers, body = simple_upload("p", [("a.txt", b"a")])
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    assert response.status_code == 403
    assert response.json()["code"] == "file_share_denied"
    assert "拒否" in response.json()["title"]
    assert await nothing_stored(fs)


async def test_f4_an_approval_user_waits_for_an_admin(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("approval")
    share = await upload(fs, account, [("a.txt", b"hello")])
    assert (share["state"], share["approval"]) == ("awaiting_approval", "pending")
    path = f"{MINE}/{share['share_id']}/files/{share['files'][0]['file_id']}"
    assert (await fs.http.get(path, headers=as_user(account))).status_code == 403
    approved = await fs.http.post(f"{STAFF}/{share['share_id']}/approve", headers=as_admin())
    assert approved.status_code == 200 and approved.json()["approval"] == "approved"
    response = await fs.http.get(path, headers=as_user(account))
    assert response.status_code == 200 and response.content == b"hello"


async def test_f2_inside_or_outside_from_the_source_address(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    inside = await upload(fs, account, [("a.txt", b"a")], ip=INSIDE_IP)
    outside = await upload(fs, account, [("a.txt", b"a")], ip="198.51.100.9")
    assert (inside["direction"], inside["direction_label"]) == ("inside", "院内")
    assert (outside["direction"], outside["direction_label"]) == ("outside", "院外")


async def test_f8_admins_upload_to_users_and_download_what_users_shared(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("approval")
    headers, body = simple_upload("手順書の共有", [("手順書.pdf", b"%PDF-1.4")], recipient=account)
    response = await fs.http.post(STAFF, headers={**headers, **as_admin()}, content=body)
    assert response.status_code == 201, response.text
    given = response.json()
    # An admin's share needs no approval, whatever the user's permission.
    assert (given["state"], given["approval"], given["uploaded_by_role"]) == (
        "available",
        "not_required",
        "admin",
    )
    assert given["owner_account"] == account
    mine = (await fs.http.get(MINE, headers=as_user(account))).json()
    assert [s["share_id"] for s in mine["items"]] == [given["share_id"]]
    path = f"{MINE}/{given['share_id']}/files/{given['files'][0]['file_id']}"
    assert (await fs.http.get(path, headers=as_user(account))).content == b"%PDF-1.4"

    shared = await upload(fs, account, [("log.txt", b"log")])  # waits for approval
    path = f"{STAFF}/{shared['share_id']}/files/{shared['files'][0]['file_id']}"
    assert (await fs.http.get(path, headers=as_admin())).content == b"log"


async def test_f7_user_file_sharing_needs_a_recent_second_password(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    share = await upload(fs, account, [("a.txt", b"a")])
    path = f"{MINE}/{share['share_id']}/files/{share['files'][0]['file_id']}"
    for headers in (as_user(account, verified_ago=None), as_user(account, verified_ago=3600)):
        for method, url in (("GET", MINE), ("GET", path), ("POST", MINE)):
            response = await fs.http.request(method, url, headers=headers)
            assert response.status_code == 403, (method, url)
            assert response.json()["code"] == "second_password_required"


async def test_f7_an_expired_share_is_unreachable_and_its_files_deleted(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    share = await upload(fs, account, [("a.txt", b"a" * 5000)])
    path = f"{MINE}/{share['share_id']}/files/{share['files'][0]['file_id']}"
    assert (await fs.http.get(path, headers=as_user(account))).status_code == 200
    bytes_before = await fs.stored_bytes()
    fs.clock.now = fs.clock.now.replace(year=fs.clock.now.year + 1)

    async def expired() -> bool:
        return "ShareExpired.v1" in await fs.events()

    await eventually(expired)
    for headers, url in (
        (as_user(account, now=fs.clock.now.timestamp()), path),
        (as_admin(), f"{STAFF}/{share['share_id']}/files/{share['files'][0]['file_id']}"),
    ):
        response = await fs.http.get(url, headers=headers)
        assert response.status_code == 410 and response.json()["code"] == "share_expired"
    assert await fs.stored_bytes() < bytes_before - 5000
    # The log row stays.
    rows = (await fs.http.get(STAFF, headers=as_admin())).json()["items"]
    assert [(r["share_id"], r["files_deleted"]) for r in rows] == [(share["share_id"], True)]


def clamd_in_a_new_folder(port: int) -> EmbeddedClamd:
    folder = Path(tempfile.mkdtemp(prefix="fumidai-clamd-late-"))
    folder.chmod(0o755)  # clamd may run as the clamav user
    return EmbeddedClamd(folder / "clamd", port=port)


async def test_f3_no_scanner_stays_pending_then_clean_when_clamd_returns(
    start_fileshare: StartFileshare,
) -> None:
    port = free_port()
    fs = await start_fileshare(clamd_port=port)  # nothing listens there yet
    account = await fs.world.user("always")
    unavailable = await counted(fs.http, "scanner_unavailable")
    share = await upload(fs, account, [("a.txt", b"a"), ("b.txt", b"b")])
    assert (share["state"], share["scan_label"]) == ("scanning", "検査待ち")
    # What FumidaiScannerUnavailable (deploy/prometheus/alerts.yml) alerts on.
    assert await counted(fs.http, "scanner_unavailable") > unavailable
    assert {f["scan_label"] for f in share["files"]} == {"検査待ち"}
    path = f"{MINE}/{share['share_id']}/files/{share['files'][0]['file_id']}"
    assert (await fs.http.get(path, headers=as_user(account))).status_code == 403
    await asyncio.sleep(1.0)  # several retry rounds find no clamd: still waiting
    found = await fs.http.get(f"{MINE}/{share['share_id']}", headers=as_user(account))
    assert found.json()["scan_label"] == "検査待ち"

    clamd = clamd_in_a_new_folder(port)
    await asyncio.to_thread(clamd.start)
    try:

        async def clean() -> bool:
            found = await fs.http.get(f"{MINE}/{share['share_id']}", headers=as_user(account))
            return bool(found.json()["state"] == "available")

        await eventually(clean)
    finally:
        clamd.stop()
        shutil.rmtree(clamd.state_dir.parent, ignore_errors=True)
    response = await fs.http.get(path, headers=as_user(account))
    assert response.status_code == 200 and response.content == b"a"
    assert await fs.events("FileScanned", "ShareAvailable") == [
        "FileScanned.v1",
        "FileScanned.v1",
        "ShareAvailable.v1",
    ]


async def test_f1_f3_without_clamd_an_encrypted_zip_is_kept_pending_then_unscannable(
    start_fileshare: StartFileshare,
) -> None:
    port = free_port()
    fs = await start_fileshare(clamd_port=port)  # nothing listens there yet
    account = await fs.world.user("always")
    archive = encrypted_zip("患者一覧.csv", "氏名,ID\n山田,1\n".encode(), b"secret")
    # No verdict is no refusal: the upload is kept 検査待ち and scanned when clamd is back.
    share = await upload(fs, account, [("患者一覧.zip", archive)])
    assert (share["state"], share["scan_label"]) == ("scanning", "検査待ち")

    clamd = clamd_in_a_new_folder(port)
    await asyncio.to_thread(clamd.start)
    try:

        async def settled() -> bool:
            found = await fs.http.get(f"{MINE}/{share['share_id']}", headers=as_user(account))
            return bool(found.json()["state"] != "scanning")

        await eventually(settled)
    finally:
        clamd.stop()
        shutil.rmtree(clamd.state_dir.parent, ignore_errors=True)
    found = (await fs.http.get(f"{MINE}/{share['share_id']}", headers=as_user(account))).json()
    # Too late to refuse: it stays in the list as 検査不可, never downloadable (F3).
    assert (found["state"], found["scan_label"]) == ("blocked", "検査不可")
    assert found["files"][0]["signature"].startswith("Heuristics.Encrypted")
    assert not found["files"][0]["downloadable"]
