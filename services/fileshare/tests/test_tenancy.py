"""SPEC T3: another facility's share answers 404 exactly like a missing one, on every
admin endpoint; another user's share does the same on the user endpoints."""

from services.fileshare.tests.conftest import Fileshare
from services.fileshare.tests.world import (
    OTHER_FACILITY,
    as_admin,
    as_user,
    simple_upload,
)

MINE = "/internal/v1/users/me/shares"


async def test_t3_every_admin_endpoint_hides_another_facilitys_shares(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("approval")
    headers, body = simple_upload("調査", [("a.txt", b"a")])
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    share = response.json()
    share_id, file_id = share["share_id"], share["files"][0]["file_id"]
    missing = "01a21b2d-0000-7000-8000-000000000000"
    stranger = as_admin(OTHER_FACILITY)

    def endpoints(code: str, sid: str) -> list[tuple[str, str]]:
        base = f"/internal/v1/facilities/{code}/shares"
        return [
            ("GET", base),
            ("GET", f"{base}/approvals"),
            ("GET", f"{base}/{sid}"),
            ("POST", f"{base}/{sid}/approve"),
            ("POST", f"{base}/{sid}/deny"),
            ("GET", f"{base}/{sid}/files/{file_id}"),
        ]

    # The other facility's admin, on 998's URLs: as if nothing were there.
    for method, url in endpoints("998", share_id):
        response = await fs.http.request(method, url, headers=stranger)
        assert response.status_code == 404, (method, url, response.text)
    # ... and on its own URLs naming 998's share: the same answer as a missing share.
    for (method, url), (_, missing_url) in zip(
        endpoints(OTHER_FACILITY, share_id)[2:], endpoints(OTHER_FACILITY, missing)[2:], strict=True
    ):
        found = await fs.http.request(method, url, headers=stranger)
        absent = await fs.http.request(method, missing_url, headers=stranger)
        assert (
            (found.status_code, found.json())
            == (absent.status_code, absent.json())
            == (
                404,
                {
                    "type": "https://fumidai.invalid/problems/share_not_found",
                    "title": "ファイル共有が見つかりません。",
                    "status": 404,
                    "code": "share_not_found",
                },
            )
        ), (method, url)
    # Uploading to 998's user from 997, or to 998 at all: 404.
    headers, body = simple_upload("x", [("a.txt", b"a")], recipient=account)
    response = await fs.http.post(
        f"/internal/v1/facilities/{OTHER_FACILITY}/shares",
        headers={**headers, **stranger},
        content=body,
    )
    assert response.status_code == 404 and response.json()["code"] == "user_not_found"
    headers, body = simple_upload("x", [("a.txt", b"a")], recipient=account)
    response = await fs.http.post(
        "/internal/v1/facilities/998/shares", headers={**headers, **stranger}, content=body
    )
    assert response.status_code == 404
    # Nothing was decided or downloaded by the stranger.
    assert await fs.events("ShareApproved", "ShareDenied", "ShareDownloaded") == []
    own = await fs.http.get(f"/internal/v1/facilities/998/shares/{share_id}", headers=as_admin())
    assert own.status_code == 200 and own.json()["approval"] == "pending"


async def test_t3_users_see_only_their_own_shares(fileshare: Fileshare) -> None:
    fs = fileshare
    owner = await fs.world.user("always")
    other = await fs.world.user("always")
    headers, body = simple_upload("調査", [("a.txt", b"a")])
    share = (await fs.http.post(MINE, headers={**headers, **as_user(owner)}, content=body)).json()
    path = f"{MINE}/{share['share_id']}"
    for url in (path, f"{path}/files/{share['files'][0]['file_id']}"):
        response = await fs.http.get(url, headers=as_user(other))
        assert response.status_code == 404, url
    listed = (await fs.http.get(MINE, headers=as_user(other))).json()
    assert listed == {"items": [], "total": 0}


async def test_users_cannot_use_admin_routes_nor_admins_user_routes(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    response = await fs.http.get("/internal/v1/facilities/998/shares", headers=as_user(account))
    assert response.status_code == 403
    response = await fs.http.get(MINE, headers=as_admin())
    assert response.status_code == 403
