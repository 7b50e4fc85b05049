"""「パスワードを忘れた場合」 on identity (issue 15, decision 0020): real PostgreSQL, NATS and
SMTP (aiosmtpd), identity in-process on the test's clock so that links expire without
waiting. The gateway's side and the ログインログ are in tests/test_password_recovery.py."""

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.devservers.ports import free_port
from libs.devservers.smtp import MailCatcher, ReceivedMail
from libs.events.catalogue.credentials import AdminPasswordRecovered, UserPasswordRecovered
from libs.events.catalogue.signin import PasswordRecoveryAttempted
from libs.testing.apps import running
from services.identity.adapters import totp
from services.identity.bootstrap import bootstrap
from services.identity.settings import IdentitySettings
from services.identity.tests.callers import bearer, operator
from services.identity.tests.signin_support import (
    DOMAIN,
    NEW_PASSWORD,
    Admin,
    FakeClock,
    events,
    first_signin,
    gateway,
    ok,
    password,
    refused,
    step,
)

Client = AsyncTestClient[Litestar]
PUBLIC = "https://console.example.jp"
RECOVERED = "Sora-no-shita-2027"
ADMIN_MAIL = "hanako@h998.example.jp"


@pytest.fixture
async def app(
    identity_settings: IdentitySettings, clock: FakeClock, mail_catcher: MailCatcher
) -> AsyncIterator[Client]:
    own = msgspec.structs.replace(
        identity_settings.own,
        public_url=PUBLIC,
        smtp=msgspec.structs.replace(identity_settings.own.smtp, smtp_port=mail_catcher.port),
        mail_retry_s=(0.2,),
    )
    settings = replace(identity_settings, own=own)
    async with running(bootstrap(settings, clock=clock)) as client:
        yield client


async def admin_with_address(app: Client, code: str = "998", name: str = "admin01") -> Admin:
    created = await app.post(
        "/internal/v1/operator/facilities",
        json={
            "code": code,
            "name": f"{code}-Hospital",
            "domain": DOMAIN,
            "admin": name,
            "admin_display_name": "山田 花子",
            "admin_email": ADMIN_MAIL,
        },
        headers=operator(),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    return Admin(body["admin_account"], body["initial_password"], body["initial_second_password"])


async def ask(app: Client, account: str, app_name: str = "メンテナンスツール") -> dict[str, Any]:
    answer = await app.post(
        "/internal/v1/recovery/requests",
        json={"account": account, "app": app_name},
        headers=gateway(),
    )
    assert answer.status_code == 202, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def mails(
    catcher: MailCatcher, count: int, settings: IdentitySettings | None = None
) -> list[ReceivedMail]:
    """The first ``count`` mails; with ``settings``, once every request is resolved too (its
    ログインログ row is written just after the SMTP server accepted the mail)."""
    got = await asyncio.to_thread(catcher.wait_for, count, 10.0)
    assert len(got) >= count, f"{len(got)} mails, {count} expected"
    if settings is not None:
        conn = await asyncpg.connect(settings.core.database_url)
        try:
            for _ in range(100):
                if not await conn.fetchval(
                    "SELECT count(*) FROM recovery_requests WHERE resolved_at IS NULL"
                ):
                    break
                await asyncio.sleep(0.05)
        finally:
            await conn.close()
    return got


def token_of(mail: ReceivedMail) -> str:
    found = re.search(r"#token=([A-Za-z0-9_-]+)", mail.message.get_content())
    assert found, mail.message.get_content()
    return found[1]


async def use(app: Client, token: str, code: str, new: str = RECOVERED) -> Any:
    return await app.post(
        "/internal/v1/recovery/password",
        json={"token": token, "code": code, "new_password": new},
        headers=gateway(),
    )


async def open_link(app: Client, token: str) -> Any:
    return await app.post("/internal/v1/recovery/link", json={"token": token}, headers=gateway())


async def recovery_log(settings: IdentitySettings) -> list[tuple[str, str, str]]:
    return [
        (e.data.step, e.data.result, e.data.reason)
        for e in await events(settings)
        if isinstance(e.data, PasswordRecoveryAttempted)
    ]


async def enrolled_admin(app: Client, clock: FakeClock) -> Admin:
    admin = await admin_with_address(app)
    await first_signin(app, clock, admin)
    clock.advance(seconds=30)  # the next code is a fresh one (a code is accepted once, L2)
    return admin


async def test_l1_l2_admin_recovers_with_a_valid_code_old_password_refused(
    app: Client,
    clock: FakeClock,
    mail_catcher: MailCatcher,
    identity_settings: IdentitySettings,
) -> None:
    admin = await enrolled_admin(app, clock)
    answer = await ask(app, admin.account.upper())  # any case, as sign-in
    assert "送信しました" in answer["message"]
    (mail,) = await mails(mail_catcher, 1, identity_settings)
    message = mail.message
    assert mail.rcpt_tos == (ADMIN_MAIL,)
    assert message["Subject"] == "【fumidai】パスワード再設定のご案内"
    content = message.get_content()
    assert f"{PUBLIC}/reset-password#token=" in content and admin.account in content
    assert "15分間" in content and admin.password not in content
    token = token_of(mail)

    opened = ok(await open_link(app, token))
    assert (opened["account"], opened["role"]) == (admin.account, "admin")

    done = await use(app, token, totp.code_at(admin.secret, clock.step))
    assert done.status_code == 200, done.text
    assert done.json() == {"account": admin.account}

    refused(await password(app, admin.account, admin.password), 401, "signin_failed")
    assert ok(await password(app, admin.account, RECOVERED))["next_step"] == "totp"
    recovered = [
        e for e in await events(identity_settings) if isinstance(e.data, AdminPasswordRecovered)
    ]
    assert len(recovered) == 1 and recovered[0].correlation_id
    assert await recovery_log(identity_settings) == [
        ("recovery_request", "success", "link_sent"),
        ("recovery_link", "success", "link_opened"),
        ("recovery_password", "success", "password_recovered"),
    ]


async def test_l2_l4_wrong_code_refused_link_stays_then_reuse_refused(
    app: Client,
    clock: FakeClock,
    mail_catcher: MailCatcher,
    identity_settings: IdentitySettings,
) -> None:
    admin = await enrolled_admin(app, clock)
    await ask(app, admin.account)
    token = token_of((await mails(mail_catcher, 1, identity_settings))[0])
    right = totp.code_at(admin.secret, clock.step)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    refused(await use(app, token, wrong), 401, "recovery_totp_invalid")
    refused(await use(app, token, right, new="short"), 400, "password_length")
    # The link still works after both: a typo never costs the owner the link.
    assert (await use(app, token, right)).status_code == 200
    refused(await use(app, token, right), 410, "recovery_link_used")
    refused(await open_link(app, token), 410, "recovery_link_used")
    refused(await open_link(app, "not-a-token"), 410, "recovery_link_unknown")
    log = await recovery_log(identity_settings)
    assert ("recovery_password", "failure", "wrong_totp") in log
    assert ("recovery_password", "failure", "password_rejected") in log
    assert log[-2:] == [
        ("recovery_password", "failure", "link_used"),
        ("recovery_link", "failure", "link_used"),
    ]


async def test_link_expires_after_its_lifetime_and_a_newer_link_replaces_it(
    app: Client, clock: FakeClock, mail_catcher: MailCatcher, identity_settings: IdentitySettings
) -> None:
    admin = await enrolled_admin(app, clock)
    await ask(app, admin.account)
    first = token_of((await mails(mail_catcher, 1))[0])
    await ask(app, admin.account)
    second = token_of((await mails(mail_catcher, 2))[1])
    refused(await open_link(app, first), 410, "recovery_link_replaced")
    assert ok(await open_link(app, second))["account"] == admin.account

    clock.advance(minutes=15, seconds=1)
    refused(await open_link(app, second), 410, "recovery_link_expired")
    refused(
        await use(app, second, totp.code_at(admin.secret, clock.step)), 410, "recovery_link_expired"
    )
    assert ok(await password(app, admin.account, admin.password))["next_step"] == "totp"
    assert ("recovery_link", "failure", "link_expired") in await recovery_log(identity_settings)


async def test_same_answer_and_same_work_for_any_account_mail_only_to_an_enrolled_one(
    app: Client,
    clock: FakeClock,
    mail_catcher: MailCatcher,
    identity_settings: IdentitySettings,
) -> None:
    enrolled = await enrolled_admin(app, clock)
    never_signed_in = await admin_with_address(app, "997", "admin02")
    unknown = f"998-nobody@{DOMAIN}"
    answers = [await ask(app, a) for a in (unknown, never_signed_in.account, enrolled.account)]
    assert answers[0] == answers[1] == answers[2]

    conn = await asyncpg.connect(identity_settings.core.database_url)
    try:

        async def resolved() -> list[tuple[str, str]]:
            rows = await conn.fetch(
                "SELECT account, outcome FROM recovery_requests ORDER BY requested_at"
            )
            return [(r["account"], r["outcome"]) for r in rows]

        for _ in range(100):
            if all(outcome for _, outcome in await resolved()):
                break
            await asyncio.sleep(0.1)
        assert await resolved() == [
            (unknown, "unknown_account"),
            (never_signed_in.account, "mfa_not_enrolled"),
            (enrolled.account, "link_sent"),
        ]
    finally:
        await conn.close()
    got = await mails(mail_catcher, 1)
    await asyncio.sleep(0.5)
    assert len(mail_catcher.received) == 1 and enrolled.account in got[0].message.get_content()
    log = await recovery_log(identity_settings)
    assert log == [
        ("recovery_request", "failure", "unknown_account"),
        ("recovery_request", "failure", "mfa_not_enrolled"),
        ("recovery_request", "success", "link_sent"),
    ]
    unknown_row = next(
        e
        for e in await events(identity_settings)
        if isinstance(e.data, PasswordRecoveryAttempted) and e.data.account == unknown
    )
    assert unknown_row.facility == "998"  # its admins see guessing at their accounts


async def test_l4_five_wrong_codes_lock_the_account_and_end_the_link(
    app: Client, clock: FakeClock, mail_catcher: MailCatcher
) -> None:
    admin = await enrolled_admin(app, clock)
    await ask(app, admin.account)
    token = token_of((await mails(mail_catcher, 1))[0])
    right = totp.code_at(admin.secret, clock.step)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(4):
        refused(await use(app, token, wrong), 401, "recovery_totp_invalid")
    refused(await use(app, token, wrong), 423, "account_locked")
    # The lock ends the link at once (the right code no longer helps) and holds sign-in.
    refused(await use(app, token, right), 410, "recovery_link_replaced")
    refused(await password(app, admin.account, admin.password), 423, "account_locked")
    clock.advance(minutes=15, seconds=1)
    refused(await use(app, token, right), 410, "recovery_link_replaced")
    # A new request during a lock is mailed, but its link waits for the lock's end.
    clock.advance(minutes=-15)
    await ask(app, admin.account)
    fresh = token_of((await mails(mail_catcher, 2))[1])
    refused(await open_link(app, fresh), 423, "account_locked")


async def test_a_user_recovers_on_the_share_page_surface_not_on_the_admins(
    app: Client,
    clock: FakeClock,
    mail_catcher: MailCatcher,
    identity_settings: IdentitySettings,
) -> None:
    admin = await admin_with_address(app)
    session = await first_signin(app, clock, admin)
    del session
    created = await app.post(
        "/internal/v1/facilities/998/users",
        json={
            "name": "user01",
            "family_name": "山田",
            "email": "taro@example.jp",
            "valid_from": clock.now.date().isoformat(),
            "valid_until": (clock.now.date() + timedelta(days=10)).isoformat(),
        },
        headers=bearer(admin.account, "admin", "998"),
    )
    assert created.status_code == 201, created.text
    user = created.json()
    started = ok(await password(app, user["account"], user["initial_password"], "ファイル共有"))
    enrol = ok(await step(app, "new-password", handle=started["handle"], new_password=NEW_PASSWORD))
    secret = enrol["enrolment"]["secret"]
    ok(await step(app, "totp", handle=started["handle"], code=totp.code_at(secret, clock.step)))
    clock.advance(seconds=30)

    await ask(app, user["account"], "メンテナンスツール")  # a user's account, the admins' page
    await ask(app, user["account"], "ファイル共有")
    (mail,) = await mails(mail_catcher, 1, identity_settings)
    assert mail.rcpt_tos == ("taro@example.jp",)
    token = token_of(mail)
    assert f"{PUBLIC}/share/reset-password#token=" in mail.message.get_content()
    assert ok(await open_link(app, token))["role"] == "user"
    assert (await use(app, token, totp.code_at(secret, clock.step))).status_code == 200
    assert (
        ok(await password(app, user["account"], RECOVERED, "ファイル共有"))["next_step"] == "totp"
    )
    assert any(isinstance(e.data, UserPasswordRecovered) for e in await events(identity_settings))
    log = await recovery_log(identity_settings)
    assert log[:2] == [
        ("recovery_request", "failure", "app_not_allowed"),
        ("recovery_request", "success", "link_sent"),
    ]


@pytest.fixture
async def mailless(identity_settings: IdentitySettings, clock: FakeClock) -> AsyncIterator[Client]:
    """identity whose SMTP server never answers (a port nobody listens on)."""
    smtp = msgspec.structs.replace(
        identity_settings.own.smtp, smtp_port=free_port(), smtp_timeout_s=1.0
    )
    own = msgspec.structs.replace(identity_settings.own, smtp=smtp, mail_retry_s=(0.1,))
    async with running(bootstrap(replace(identity_settings, own=own), clock=clock)) as client:
        yield client


async def test_a_refused_mail_is_tried_again_then_logged_and_its_links_never_work(
    mailless: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await enrolled_admin(mailless, clock)
    await ask(mailless, admin.account)
    conn = await asyncpg.connect(identity_settings.core.database_url)
    try:
        row = None
        for _ in range(100):
            row = await conn.fetchrow("SELECT outcome, attempts FROM recovery_requests")
            if row is not None and row["outcome"]:
                break
            clock.advance(seconds=1)  # the retry is due on identity's clock
            await asyncio.sleep(0.1)
        assert row is not None and (row["outcome"], row["attempts"]) == ("mail_not_sent", 2)
        links = await conn.fetch("SELECT used_at, replaced_at FROM recovery_links")
        assert len(links) == 2 and all(link["replaced_at"] for link in links)
    finally:
        await conn.close()
    assert await recovery_log(identity_settings) == [
        ("recovery_request", "failure", "mail_not_sent")
    ]
