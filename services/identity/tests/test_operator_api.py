"""The operator API of identity (SPEC T1, T3, T4) through its HTTP interface."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from services.identity.tests.callers import bearer, operator

Client = AsyncTestClient[Litestar]

FACILITY = {
    "code": "998",
    "name": "998-Dev Hospital",
    "domain": "nrasdev.onmicrosoft.com",
    "admin": "operation-admin01",
}


async def test_t4_operator_registers_a_facility_and_its_first_admin(identity: Client) -> None:
    response = await identity.post(
        "/internal/v1/operator/facilities", json=FACILITY, headers=operator()
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["admin_account"] == "998-operation-admin01@nrasdev.onmicrosoft.com"
    assert len(body["initial_password"]) >= 12
    again = await identity.post(
        "/internal/v1/operator/facilities", json=FACILITY, headers=operator()
    )
    assert again.status_code == 409
    assert again.json()["code"] == "facility_code_taken"


async def test_t4_only_operators_register_facilities(identity: Client) -> None:
    admin = bearer("998-a@x.example", "admin", "998")
    response = await identity.post("/internal/v1/operator/facilities", json=FACILITY, headers=admin)
    assert response.status_code == 403
    assert (
        await identity.post("/internal/v1/operator/facilities", json=FACILITY)
    ).status_code == 401


async def test_t1_bad_input_is_a_problem_with_a_field_and_japanese_message(
    identity: Client,
) -> None:
    response = await identity.post(
        "/internal/v1/operator/facilities", json={**FACILITY, "code": "98"}, headers=operator()
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "facility_code_invalid"
    assert problem["errors"][0]["field"] == "code"
    assert not problem["title"].isascii()
    missing = await identity.post(
        "/internal/v1/operator/facilities", json={"code": "998"}, headers=operator()
    )
    assert missing.status_code == 400


async def test_t3_another_facility_reads_as_missing(identity: Client) -> None:
    await identity.post("/internal/v1/operator/facilities", json=FACILITY, headers=operator())
    own = await identity.get(
        "/internal/v1/facilities/998", headers=bearer("998-a@x.example", "admin", "998")
    )
    assert own.status_code == 200 and own.json()["time_zone"] == "Asia/Tokyo"
    other = await identity.get(
        "/internal/v1/facilities/998", headers=bearer("997-a@x.example", "admin", "997")
    )
    missing = await identity.get(
        "/internal/v1/facilities/996", headers=bearer("996-a@x.example", "admin", "996")
    )
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


async def test_nul_bytes_are_refused_as_bad_input_never_a_500(identity: Client) -> None:
    """PostgreSQL cannot store NUL in text: such input is the caller's mistake (400/404)."""
    read = await identity.get("/internal/v1/facilities/9%009", headers=operator())
    assert read.status_code in (400, 404)
    signin = await identity.post(
        "/internal/v1/signin/password",
        json={"account": "998-a\x00@x.example", "password": "x", "app": "メンテナンスツール"},
        headers=bearer("gateway", "system", "*"),
    )
    assert signin.status_code < 500, signin.text
    assert signin.headers["content-type"].startswith("application/problem+json")
