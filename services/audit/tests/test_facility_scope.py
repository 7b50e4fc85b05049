"""Every query of audit stays in the caller's facility (SPEC T3), and rebuilds match (DESIGN)."""

from datetime import timedelta

import pytest

from libs.events.ids import new_id
from libs.events.rebuild import rebuild
from services.audit.consumers import PROJECTIONS
from services.audit.tests import builders as b
from services.audit.tests.callers import bearer
from services.audit.tests.conftest import Audit, admin

LOGS = ("connections", "signins", "fileshare", "operations")


async def seed(audit: Audit, code: str) -> None:
    now = audit.clock.now
    terminal = new_id()
    await audit.publish(
        b.facility(code, now),
        b.terminal(terminal, f"{code}-端末", now, code=code),
        b.started(new_id(), b.account("u", code), terminal, f"{code}-端末", now, code=code),
        b.refused(b.account("u", code), terminal, f"{code}-端末", "expired", now, code=code),
        b.signin(b.account("u", code), now, code=code),
        b.uploaded(new_id(), [("a.txt", 1)], now, owner="u", code=code),
    )


async def test_t3_each_log_shows_only_the_callers_facility(audit: Audit) -> None:
    await seed(audit, "998")
    await seed(audit, "997")
    for log in LOGS:
        for code in ("998", "997"):
            body = await audit.page(log, code)
            rows = body["rows"]
            assert rows, (log, code)
            assert all(code in cells for row in rows for cells in [str(row["cells"])]), (log, code)
            csv = await audit.client.get(
                f"/internal/v1/facilities/{code}/logs/{log}/csv", headers=admin(code)
            )
            other = "997" if code == "998" else "998"
            assert f"{other}-" not in csv.content.decode("utf-8-sig"), (log, code)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/logs/connections"),
        ("GET", "/logs/signins/csv"),
        ("POST", "/logs/operations/exports"),
        ("GET", "/exports"),
        ("GET", "/operations"),
    ],
)
async def test_t3_another_facility_path_answers_404_as_missing(
    audit: Audit, method: str, path: str
) -> None:
    url = f"/internal/v1/facilities/998{path}"
    intruder = bearer("997-operation-admin01@nrasdev.onmicrosoft.com", "admin", "997")
    response = await audit.client.request(method, url, headers=intruder, json={})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    # Operators may read any facility; users and agents none; no token, no answer.
    operator = bearer("ops", "operator", "*")
    assert (await audit.client.request(method, url, headers=operator, json={})).status_code in (
        200,
        202,
    )
    user = bearer(b.account("u"), "user", "998")
    assert (await audit.client.request(method, url, headers=user, json={})).status_code == 403
    assert (await audit.client.request(method, url, json={})).status_code == 401


async def test_rebuilding_audits_projections_gives_the_rows_they_have(audit: Audit) -> None:
    await seed(audit, "998")
    user_id, session = new_id(), new_id()
    terminal = new_id()
    now = audit.clock.now
    # The directory first: a name it learns after a row was written would be in the
    # rebuilt row only (cross-stream order), which is what names-at-the-time accept.
    await audit.publish(
        b.user(user_id, "renamed", "旧", "姓", now), b.terminal(terminal, "998-X", now)
    )
    await audit.publish(
        b.started(session, b.account("renamed"), terminal, "998-X", now),
        b.force_closed(session, b.account("renamed"), terminal, now),
        b.signin(b.account("renamed"), now, account_id=user_id),
    )
    await audit.publish(b.renamed_user(user_id, "renamed", "新", "姓", now + timedelta(minutes=1)))
    changed = b.facility("996", now, facility_id=new_id())
    await audit.publish(
        changed,
        b.settings_changed(
            changed.aggregate_id, 2, now, "996", time_zone="Europe/London", download_period_months=6
        ),
    )
    for projection in PROJECTIONS:
        report = await rebuild(audit.pool, audit.nc, projection, audit.settings, swap=False)
        assert report.events > 0, projection.name
        assert set(report.differences.values()) == {0}, (projection.name, report.differences)


async def test_t3_guards_answer_before_the_parameters_are_read(audit: Audit) -> None:
    """Who may ask is settled before what is asked (decision 0023): another facility's
    admin hears 404 and a caller without a token 401 even for a malformed query."""
    url = "/internal/v1/facilities/998/logs/connections?limit=999"
    intruder = bearer("997-operation-admin01@nrasdev.onmicrosoft.com", "admin", "997")
    assert (await audit.client.get(url, headers=intruder)).status_code == 404
    assert (await audit.client.get(url)).status_code == 401
    assert (await audit.client.get(url, headers=admin("998"))).status_code == 400
    for job in ("not-an-id", "00000000-0000-0000-0000-000000000000"):
        file = f"/internal/v1/facilities/998/exports/{job}/file"
        assert (await audit.client.get(file, headers=intruder)).status_code == 404
        assert (await audit.client.get(file, headers=admin("998"))).json()["code"] == (
            "export_not_found"
        )


async def test_a2_only_operators_run_the_purge(audit: Audit) -> None:
    purge = "/internal/v1/operator/audit/purge"
    assert (await audit.client.post(purge, headers=admin("998"))).status_code == 403
    assert (await audit.client.post(purge)).status_code == 401
    operator = bearer("ops", "operator", "*")
    assert (await audit.client.post(purge, headers=operator)).json()["ran"] is True
