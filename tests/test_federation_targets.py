"""The 認証連携先 catalogue end to end (SPEC T1, U1, U6; issue 15), five real services: an
operator adds, renames and retires targets with ``./fumidai facility targets`` on the
running suite, and the admin API, the user form's data and the users CSV follow without
a restart. 操作ログ names each change."""

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from libs.devservers.suite import Suite
from libs.testing.servers import SessionServers
from services.identity.domain.csv_format import BOM, COLUMNS
from tests.gateway_support import (
    Admin,
    eventually,
    operation_descriptions,
    register,
    running_suite,
    sign_in_admin,
)

ROOT = Path(__file__).resolve().parent.parent
CODE = "993"


@pytest.fixture
async def suite(
    servers: SessionServers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    async for running in running_suite(servers, tmp_path_factory.mktemp("targets-logs")):
        yield running


async def cli(suite: Suite, *action: str) -> tuple[int, str, str]:
    """``./fumidai facility targets 993 [action…]`` on the suite's identity database."""
    process = await asyncio.create_subprocess_exec(
        str(ROOT / "fumidai"),
        "facility",
        "targets",
        CODE,
        "--database-url",
        suite.database_url("identity"),
        "--operator",
        "pytest-operator",
        *action,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def user_body(name: str, targets: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "family_name": "operation",
        "given_name": name,
        "email": f"{name}@example.jp",
        "valid_from": "2025-01-01",
        "valid_until": "2026-12-31",
        "macs": ["00-11-22-33-44-55"],
        "terminals": [],
        "file_share": "deny",
        "federation_targets": targets,
    }


async def exported(admin: Admin) -> dict[str, str]:
    """「全件CSV出力」: account → its 認証連携先 cell."""
    queued = await admin.send("POST", "/jobs/user-export")
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["job_id"]

    async def done() -> bool:
        job = (await admin.get(f"/jobs/users/{job_id}")).json()
        assert job["status"] != "failed", job
        return bool(job["status"] == "done")

    assert await eventually(done, timeout=30)
    file = await admin.get(f"/jobs/users/{job_id}/file")
    assert file.status_code == 200 and file.content.startswith(BOM)
    rows = csv.DictReader(io.StringIO(file.content[len(BOM) :].decode(), newline=""))
    return {row["アカウント"]: row["認証連携先"] for row in rows}


async def imported(admin: Admin, rows: list[list[str]]) -> list[dict[str, str]]:
    """「一括登録」 of ``rows`` (every column, 認証連携先 included): the result rows."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    queued = await admin.send(
        "POST",
        "/jobs/user-import",
        content=BOM + text.getvalue().encode(),
        headers={"content-type": "text/csv"},
    )
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["job_id"]

    async def done() -> bool:
        return bool((await admin.get(f"/jobs/users/{job_id}")).json()["status"] == "done")

    assert await eventually(done, timeout=30)
    file = await admin.get(f"/jobs/users/{job_id}/file")
    return list(csv.DictReader(io.StringIO(file.content[len(BOM) :].decode(), newline="")))


async def catalogue(admin: Admin) -> dict[str, bool]:
    answer = await admin.get("/federation-targets")
    assert answer.status_code == 200, answer.text
    return {t["name"]: t["retired"] for t in answer.json()["items"]}


async def test_t1_u1_u6_targets_added_renamed_retired_by_the_cli_reach_users_and_csv(
    suite: Suite,
) -> None:
    domain, account, password, second = await register(suite, CODE)
    admin = await sign_in_admin(suite.url("gateway"), CODE, account, password, second)
    try:
        # Added: offered by the admin API, accepted on a user and in the CSV.
        for name in ("Microsoft 365", "Box", "旧ファイル転送"):
            status, out, err = await cli(suite, "add", name)
            assert status == 0, err
            assert name in out
        assert await catalogue(admin) == {
            "Box": False,
            "Microsoft 365": False,
            "旧ファイル転送": False,
        }
        made = await admin.send(
            "POST", "/users", json=user_body("holder", ["Box", "旧ファイル転送"])
        )
        assert made.status_code == 201, made.text
        holder = made.json()["user"]
        newcomer = f"{CODE}-newcomer@{domain}"
        row = [newcomer, "operation", "newcomer", "n@example.jp", "2025/01/01", "2026/12/31"]
        result = await imported(
            admin, [[*row, "00:11:22:33:44:55", "", "", "", "拒否", "Microsoft 365"]]
        )
        assert result[0]["更新内容"] == "新規作成", result[0]
        cells = await exported(admin)
        assert cells[holder["account"]] == "Box,旧ファイル転送"
        assert cells[newcomer] == "Microsoft 365"

        # Renamed: the user and the CSV show the new name; the form's version is unchanged.
        status, _, err = await cli(suite, "rename", "Box", "Box Drive")
        assert status == 0, err
        read = (await admin.get(f"/users/{holder['user_id']}")).json()
        assert read["federation_targets"] == ["Box Drive", "旧ファイル転送"]
        assert (await exported(admin))[holder["account"]] == "Box Drive,旧ファイル転送"

        # Retired: refused to a new user, kept (and saved untouched) on the one who had it.
        status, _, err = await cli(suite, "retire", "旧ファイル転送")
        assert status == 0, err
        status, out, _ = await cli(suite)
        assert out.splitlines() == ["Box Drive", "Microsoft 365", "旧ファイル転送\t(retired)"]
        assert (await catalogue(admin))["旧ファイル転送"] is True
        refused = await admin.send("POST", "/users", json=user_body("late", ["旧ファイル転送"]))
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["code"] == "federation_target_retired"
        form = {
            key: read[key]
            for key in ("family_name", "given_name", "email", "valid_from", "valid_until")
        }
        saved = await admin.send(
            "PUT",
            f"/users/{holder['user_id']}",
            json={
                **form,
                "macs": read["macs"],
                "terminals": [],
                "hours": read["hours"],
                "file_share": read["file_share"],
                "federation_targets": read["federation_targets"],
                "version": read["version"],
                "email": "kept@example.jp",
            },
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["user"]["federation_targets"] == ["Box Drive", "旧ファイル転送"]
        assert (await exported(admin))[holder["account"]] == "Box Drive,旧ファイル転送"
        result = await imported(
            admin, [[*row, "00:11:22:33:44:55", "", "", "", "拒否", "旧ファイル転送"]]
        )
        assert "廃止された認証連携先" in result[0]["エラー内容"], result[0]

        # Retiring twice is a clear refusal, not a second event.
        status, _, err = await cli(suite, "retire", "旧ファイル転送")
        assert status == 1 and "federation_target_already_retired" in err

        async def logged() -> list[Any] | None:
            found = await operation_descriptions(admin.http, CODE, "FederationTargetRenamed")
            return found or None

        assert await eventually(logged, timeout=15) == [
            "認証連携先「Box」の名前を「Box Drive」に変更"
        ]
        assert await operation_descriptions(admin.http, CODE, "FederationTargetRetired") == [
            "認証連携先「旧ファイル転送」を廃止"
        ]
    finally:
        await admin.http.aclose()
