"""identity's configured CSV size limit is the one the gateway enforces (SPEC U6; issue 18).

The gateway used to refuse an import over identity's *default* limit, whatever identity
was configured with: a deployment raising ``FUMIDAI_IDENTITY_CSV_MAX_BYTES`` still had
its larger files refused with 413 at the gateway. Both now read that one setting, whose
group is identity's contract's (decision 0034).
"""

from collections.abc import AsyncIterator

import pytest

from libs.events.settings import EventSettings
from libs.runtime.settings import CoreSettings, ServiceSettings
from libs.runtime.token_keys import GATEWAY, SigningKey
from libs.testing.servers import SessionServers
from services.gateway.bootstrap import bootstrap
from services.gateway.settings import GatewayOwn, UpstreamSettings
from services.identity.contract import CSV_MAX_BYTES_DEFAULT, UPLOAD_SLACK
from services.identity.settings import load_identity_settings
from tests.gateway_support import Admin, register, running_suite, sign_in_admin

RAISED = CSV_MAX_BYTES_DEFAULT + 2 * 1024 * 1024


def import_body_limit() -> int | None:
    """The gateway's body limit of 「一括登録」, its app built (never started)."""
    core = CoreSettings(
        database_url="postgresql://unused/unused",
        nats_url="nats://unused:4222",
        token_signing_key=SigningKey.generate(GATEWAY).text(),
    )
    app = bootstrap(
        ServiceSettings(core=core, events=EventSettings()), UpstreamSettings(), GatewayOwn()
    )
    (route,) = [
        handler
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        if getattr(handler, "operation_id", None) == "queueUserImport"
    ]
    return route.resolve_request_max_body_size()


def test_u6_identity_and_the_gateway_read_one_csv_size_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert import_body_limit() == CSV_MAX_BYTES_DEFAULT + UPLOAD_SLACK
    monkeypatch.setenv("FUMIDAI_IDENTITY_DATABASE_URL", "postgresql://unused/unused")
    monkeypatch.setenv("FUMIDAI_IDENTITY_CSV_MAX_BYTES", str(RAISED))
    assert load_identity_settings().own.csv_max_bytes == RAISED
    assert import_body_limit() == RAISED + UPLOAD_SLACK


@pytest.fixture(scope="module")
async def admin(
    servers: SessionServers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Admin]:
    env = {"FUMIDAI_IDENTITY_CSV_MAX_BYTES": str(RAISED)}
    async for suite in running_suite(servers, tmp_path_factory.mktemp("csv-limit-logs"), env):
        _, account, password, second = await register(suite, "998")
        signed_in = await sign_in_admin(suite.url("gateway"), "998", account, password, second)
        yield signed_in
        await signed_in.http.aclose()


async def test_u6_a_csv_over_the_default_limit_reaches_identity_when_identity_allows_it(
    admin: Admin,
) -> None:
    """A file between the default and the configured limit passes the gateway: identity
    reads it (and refuses it as no CSV, not for its size)."""
    body = b"x" * (CSV_MAX_BYTES_DEFAULT + 1024 * 1024)
    answer = await admin.send(
        "POST", "/jobs/user-import", content=body, headers={"content-type": "text/csv"}
    )
    assert answer.status_code == 400, (answer.status_code, answer.text[:300])
    assert answer.json()["code"] == "csv_malformed"


async def test_u6_a_csv_over_the_configured_limit_is_a_413(admin: Admin) -> None:
    body = b"x" * (RAISED + 1)
    answer = await admin.send(
        "POST", "/jobs/user-import", content=body, headers={"content-type": "text/csv"}
    )
    assert answer.status_code == 413, (answer.status_code, answer.text[:300])
    assert answer.json()["code"] == "csv_too_large"
