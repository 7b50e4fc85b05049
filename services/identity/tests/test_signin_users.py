"""Remote users' sign-in (SPEC L1, L2, U2, U4) through identity's internal API.

Users are created and reset by the users area's own command handlers on the same
database, as an admin's request would; sign-in then runs through HTTP like the gateway.
"""

from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest

from libs.events.envelope import Actor
from services.identity.adapters import totp
from services.identity.adapters.passwords import Argon2Passwords
from services.identity.adapters.postgres import PostgresUnitOfWork
from services.identity.app.users import (
    CreateUser,
    create_user,
    reset_user_mfa,
    reset_user_password,
)
from services.identity.domain.user_profile import ProfileDraft
from services.identity.settings import IdentitySettings
from services.identity.tests.signin_support import (
    DOMAIN,
    Client,
    FakeClock,
    events,
    new_facility,
    ok,
    password,
    refused,
    step,
)

ADMIN = Actor(id="998-operation-admin01@" + DOMAIN, role="admin", ip="192.0.2.10")


@pytest.fixture
def app(clocked: Client) -> Client:
    return clocked


@pytest.fixture
async def pool(identity_settings: IdentitySettings, app: Client) -> AsyncIterator[asyncpg.Pool]:
    """identity's database, once the app has migrated it."""
    del app
    pool = await asyncpg.create_pool(identity_settings.core.database_url, min_size=1, max_size=2)
    yield pool
    await pool.close()


async def new_user(
    pool: asyncpg.Pool, clock: FakeClock, name: str = "user01"
) -> tuple[str, str, str]:
    """A user valid for 10 days from today: (user id, account, initial password)."""
    today = clock.now.date()
    outcome = await create_user(
        CreateUser(
            facility_code="998",
            name=name,
            profile=ProfileDraft(
                family_name="operation",
                given_name=name,
                email=f"{name}@example.jp",
                valid_from=today,
                valid_until=today + timedelta(days=10),
            ),
        ),
        PostgresUnitOfWork(pool, lambda: None),
        Argon2Passwords(),
        ADMIN,
        clock.now,
    )
    assert outcome.after is not None and outcome.issued is not None
    return outcome.after.user_id, outcome.after.account, outcome.issued.password


async def test_u2_l1_l2_user_first_signin_changes_password_and_enrols_without_second_password(
    app: Client, clock: FakeClock, pool: asyncpg.Pool, identity_settings: IdentitySettings
) -> None:
    await new_facility(app)
    user_id, account, initial = await new_user(pool, clock)
    refused(await password(app, account, initial, "メンテナンスツール"), 401, "signin_failed")

    first = ok(await password(app, account, initial, "リモートアクセス"))
    assert (first["next_step"], first["password_reason"]) == ("new_password", "initial")
    refused(
        await step(app, "new-password", handle=first["handle"], new_password="user01-Password-9"),
        400,
        "password_contains_account",
    )
    enrol = ok(
        await step(app, "new-password", handle=first["handle"], new_password="Hikari-no-michi-5")
    )
    assert enrol["next_step"] == "totp_enrol"
    secret = enrol["enrolment"]["secret"]
    done = ok(
        await step(app, "totp", handle=first["handle"], code=totp.code_at(secret, clock.step))
    )
    assert done["next_step"] == "done"  # users give their second password per file action
    assert done["grant"] == {
        "account_id": user_id,
        "account": account,
        "role": "user",
        "facility": "998",
        "facility_id": done["grant"]["facility_id"],
        "app": "リモートアクセス",
    }

    clock.advance(seconds=30)
    again = ok(await password(app, account, "Hikari-no-michi-5", "ファイル共有"))
    assert again["next_step"] == "totp"
    done = ok(
        await step(app, "totp", handle=again["handle"], code=totp.code_at(secret, clock.step))
    )
    assert done["grant"]["app"] == "ファイル共有"

    names = [e.name for e in await events(identity_settings) if e.aggregate_id == user_id]
    assert names == ["UserCreated", "UserPasswordChanged", "UserMfaEnrolled"]

    # Outside its validity days the user cannot sign in, and answers like a wrong password.
    clock.advance(days=11)
    refused(
        await password(app, account, "Hikari-no-michi-5", "リモートアクセス"), 401, "signin_failed"
    )


async def test_u4_admin_resets_of_a_user_take_effect_at_sign_in(
    app: Client, clock: FakeClock, pool: asyncpg.Pool, identity_settings: IdentitySettings
) -> None:
    await new_facility(app)
    user_id, account, initial = await new_user(pool, clock, "user02")
    first = ok(await password(app, account, initial, "リモートアクセス"))
    enrol = ok(
        await step(app, "new-password", handle=first["handle"], new_password="Hikari-no-michi-5")
    )
    secret = enrol["enrolment"]["secret"]
    ok(await step(app, "totp", handle=first["handle"], code=totp.code_at(secret, clock.step)))
    clock.advance(seconds=30)

    # The admin's MFA reset is appended after the user's own credential events: the
    # versions agree, and the next sign-in enrols a new authenticator.
    await reset_user_mfa("998", user_id, PostgresUnitOfWork(pool, lambda: None), ADMIN)
    started = ok(await password(app, account, "Hikari-no-michi-5", "リモートアクセス"))
    assert started["next_step"] == "totp_enrol"
    assert started["enrolment"]["secret"] != secret

    # A password reset cancels that sign-in and forces a change again (U4).
    outcome = await reset_user_password(
        "998", user_id, PostgresUnitOfWork(pool, lambda: None), Argon2Passwords(), ADMIN
    )
    assert outcome.issued is not None
    code = totp.code_at(started["enrolment"]["secret"], clock.step)
    refused(await step(app, "totp", handle=started["handle"], code=code), 410, "signin_expired")
    refused(
        await password(app, account, "Hikari-no-michi-5", "リモートアクセス"), 401, "signin_failed"
    )
    forced = ok(await password(app, account, outcome.issued.password, "ファイル共有"))
    assert (forced["next_step"], forced["password_reason"]) == ("new_password", "initial")

    names = [e.name for e in await events(identity_settings) if e.aggregate_id == user_id]
    assert names == [
        "UserCreated",
        "UserPasswordChanged",
        "UserMfaEnrolled",
        "UserMfaReset",
        "UserPasswordReset",
    ]
