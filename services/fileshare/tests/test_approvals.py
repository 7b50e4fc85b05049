"""The 「承認」 tab and decisions (SPEC F5)."""

import asyncio

from services.fileshare.tests.conftest import Fileshare
from services.fileshare.tests.samples import EICAR
from services.fileshare.tests.world import as_admin, as_user, simple_upload

MINE = "/internal/v1/users/me/shares"
STAFF = "/internal/v1/facilities/998/shares"


async def share_of(fs: Fileshare, account: str, content: bytes = b"log") -> str:
    headers, body = simple_upload("調査", [("a.txt", content)])
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    assert response.status_code == 201, response.text
    return str(response.json()["share_id"])


async def test_f5_the_approval_tab_lists_only_clean_undecided_shares_of_approval_users(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    waiting_user = await fs.world.user("approval")
    always_user = await fs.world.user("always")
    waiting = await share_of(fs, waiting_user)
    infected = await share_of(fs, waiting_user, EICAR)
    decided = await share_of(fs, waiting_user)
    available = await share_of(fs, always_user)
    assert (await fs.http.post(f"{STAFF}/{decided}/deny", headers=as_admin())).status_code == 200

    listed = (await fs.http.get(f"{STAFF}/approvals", headers=as_admin())).json()
    assert [s["share_id"] for s in listed["items"]] == [waiting] and listed["total"] == 1
    row = listed["items"][0]
    assert (row["owner_account"], row["scan_label"], row["direction_label"]) == (
        waiting_user,
        "脅威なし",
        "院外",
    )
    everything = (await fs.http.get(STAFF, headers=as_admin())).json()
    assert [s["share_id"] for s in everything["items"]] == [available, decided, infected, waiting]
    assert {s["share_id"]: s["approval"] for s in everything["items"]} == {
        available: "not_required",
        decided: "denied",
        infected: "pending",
        waiting: "pending",
    }


async def test_f5_two_admins_deciding_at_once_make_exactly_one_decision(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("approval")
    for _ in range(3):
        share_id = await share_of(fs, account)
        responses = await asyncio.gather(
            fs.http.post(f"{STAFF}/{share_id}/approve", headers=as_admin(name="admin01")),
            fs.http.post(f"{STAFF}/{share_id}/deny", headers=as_admin(name="admin02")),
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 409], [r.text for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.json()["code"] == "share_already_decided"
        winner = next(r for r in responses if r.status_code == 200).json()
        decisions = await fs.db.fetch(
            """SELECT type FROM events WHERE aggregate_id = $1
               AND type IN ('ShareApproved.v1', 'ShareDenied.v1')""",
            share_id,
        )
        assert len(decisions) == 1
        assert (
            winner["approval"]
            == decisions[0]["type"].removeprefix("Share").removesuffix(".v1").lower()
        )


async def test_f5_a_decision_is_final(fileshare: Fileshare) -> None:
    fs = fileshare
    account = await fs.world.user("approval")
    share_id = await share_of(fs, account)
    first = await fs.http.post(f"{STAFF}/{share_id}/deny", headers=as_admin())
    assert first.status_code == 200 and first.json()["decided_by"].startswith("998-admin01")
    for action in ("approve", "deny"):
        again = await fs.http.post(f"{STAFF}/{share_id}/{action}", headers=as_admin())
        assert again.status_code == 409
        assert again.json()["title"] == "このファイル共有は既に承認または否認されています。"
    file_id = first.json()["files"][0]["file_id"]
    response = await fs.http.get(f"{MINE}/{share_id}/files/{file_id}", headers=as_user(account))
    assert response.status_code == 403  # denied: never the user's to download
