"""No secret the users area issues is ever stored in clear or logged (SPEC U2, U4, U6, L5),
second-password resets included."""

import asyncpg
import pytest

from services.identity.settings import IdentitySettings
from services.identity.tests.users_support import (
    Client,
    create,
    csv_file,
    form_of,
    import_csv,
    new_facility,
)


async def test_u2_u4_u6_secrets_reach_neither_events_nor_tables_nor_logs(
    identity: Client,
    identity_settings: IdentitySettings,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    place = await new_facility(identity)
    secrets: list[str] = []
    created = await create(identity, place, "secretive")
    secrets += [created["initial_password"], created["second_password"]]
    url = f"{place.users}/{created['user']['user_id']}"
    reset = await identity.post(f"{url}/password-reset", headers=place.headers())
    secrets.append(reset.json()["initial_password"])
    fresh = (await identity.get(url, headers=place.headers())).json()
    saved = await identity.put(
        url, json=form_of(fresh, reset_password=True), headers=place.headers()
    )
    secrets.append(saved.json()["initial_password"])
    second = await identity.post(f"{url}/second-password-reset", headers=place.headers())
    secrets.append(second.json()["second_password"])
    fresh = (await identity.get(url, headers=place.headers())).json()
    both = await identity.put(
        url,
        json=form_of(fresh, reset_password=True, reset_second_password=True),
        headers=place.headers(),
    )
    secrets += [both.json()["initial_password"], both.json()["second_password"]]
    rows = [
        [
            place.account(f"bulk{n}"),
            "Bulk",
            f"{n}",
            f"b{n}@example.jp",
            "2025/1/1",
            "2025/12/31",
            "",
            "",
            "",
            "",
            "",
        ]
        for n in range(3)
    ]
    _, result = await import_csv(identity, place, csv_file(rows))
    for row in result:
        secrets += [row["初期パスワード"], row["初期第二パスワード"]]
    assert len(secrets) == 13 and all(len(s) >= 20 for s in secrets)
    assert len(set(secrets)) == len(secrets)

    conn = await asyncpg.connect(identity_settings.core.database_url)
    try:
        stored: list[bytes] = [
            row["payload"] for row in await conn.fetch("SELECT payload FROM events")
        ]
        assert len(stored) >= 8
        for table, columns in (
            ("user_credentials", "password_hash, second_password_hash"),
            ("jobs", "input, result"),
            ("job_rows", "sealed"),
            ("users", "account, family_name, given_name, email"),
        ):
            for record in await conn.fetch(f"SELECT {columns} FROM {table}"):
                stored += [
                    value if isinstance(value, bytes) else str(value).encode()
                    for value in record.values()
                    if value is not None
                ]
    finally:
        await conn.close()
    captured = capfd.readouterr()
    logs = captured.out + captured.err + caplog.text
    assert "job_done" in logs  # the logs were captured: the check below means something
    for secret in secrets:
        raw = secret.encode()
        assert not any(raw in blob for blob in stored), "a secret is stored in clear"
        assert secret not in logs, "a secret was logged"
