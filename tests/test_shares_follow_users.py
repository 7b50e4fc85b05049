"""Issue 16, item 3: shares belong to the user, not to the account name. Through the
gateway (five real services, real clamd): a user deleted after receiving a share, a new
user created with the same account name — the newcomer sees none of the old user's shares,
cannot open or download them; the facility's admins still can."""

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from libs.devservers.smtp import MailCatcher
from libs.devservers.suite import Suite
from libs.testing.fileshare_fixtures import ClamdServer
from libs.testing.servers import SessionServers
from tests.gateway_support import (
    Admin,
    eventually,
    post_user_share,
    register,
    running_suite,
    sharing_env,
    sign_in_admin,
    user_ready_to_share,
)

CONTENT = "紹介状: 前任者あて\n".encode() * 50


@pytest.fixture
async def suite(
    servers: SessionServers,
    tmp_path_factory: pytest.TempPathFactory,
    clamd_server: ClamdServer,
    mail_catcher: MailCatcher,
) -> AsyncIterator[Suite]:
    env = sharing_env(clamd_server.host, clamd_server.port, "127.0.0.1", mail_catcher.port)
    async for running in running_suite(servers, tmp_path_factory.mktemp("owner-logs"), env):
        yield running


async def create_user(admin: Admin, name: str) -> dict[str, Any]:
    today = date.today()
    created = await admin.send(
        "POST",
        "/users",
        json={
            "name": name,
            "family_name": "佐藤",
            "given_name": "花子",
            "email": f"{name}@example.jp",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat(),
            "file_share": "always",
        },
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


async def clean_share(http: httpx.AsyncClient, bearer: dict[str, str], share_id: str) -> Any:
    """The share as its owner lists it, once scanned and downloadable."""

    async def ready() -> Any:
        answer = await http.get(f"/user-api/v1/shares/{share_id}", headers=bearer)
        body = answer.json()
        return body if answer.status_code == 200 and body["files"][0]["downloadable"] else None

    found = await eventually(ready, timeout=30)
    assert found, "the share never became downloadable"
    return found


async def test_issue16_3_a_new_user_with_a_deleted_users_account_name_gets_none_of_its_shares(
    suite: Suite,
) -> None:
    url = suite.url("gateway")
    _, account, password, second = await register(suite, "963")
    admin = await sign_in_admin(url, "963", account, password, second)
    first = await create_user(admin, "sato.hanako")

    # The first 佐藤 花子 shares a file; it is scanned and hers to download (F1, F3).
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        bearer = await user_ready_to_share(http, first)
        uploaded = await post_user_share(http, bearer, "紹介状.txt", CONTENT, "紹介状の共有")
        assert uploaded.status_code == 201, uploaded.text
        old = await clean_share(http, bearer, uploaded.json()["share_id"])
    old_id, old_file = old["share_id"], old["files"][0]["file_id"]

    # She leaves; a newcomer gets the same account name.
    gone = await admin.send("DELETE", f"/users/{first['user']['user_id']}")
    assert gone.status_code == 200, gone.text
    newcomer = await create_user(admin, "sato.hanako")
    assert newcomer["account"].lower() == first["account"].lower()

    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        bearer = await user_ready_to_share(http, newcomer)
        # Her own upload proves fileshare knows her: the listing below is not too early.
        own = await post_user_share(http, bearer, "自分の.txt", b"mine\n", "自分の共有")
        assert own.status_code == 201, own.text
        listed = await http.get("/user-api/v1/shares", headers=bearer)
        assert listed.status_code == 200, listed.text
        assert [s["share_id"] for s in listed.json()["items"]] == [own.json()["share_id"]]
        opened = await http.get(f"/user-api/v1/shares/{old_id}", headers=bearer)
        assert opened.status_code == 404, opened.text
        download = await http.get(f"/user-api/v1/shares/{old_id}/files/{old_file}", headers=bearer)
        assert download.status_code == 404, download.text

    # The facility's admins still reach the deleted user's share.
    facility = await admin.get("/shares")
    assert old_id in [s["share_id"] for s in facility.json()["items"]]
    fetched = await admin.get(f"/shares/{old_id}/files/{old_file}")
    assert fetched.status_code == 200 and fetched.content == CONTENT
    await admin.http.aclose()
