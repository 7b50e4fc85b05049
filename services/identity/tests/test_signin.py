"""Admin sign-in through identity's internal API (SPEC L1–L5, T4), on real servers.

The app runs in-process with a clock of the test's own (``clocked`` in conftest): locks
expire and authenticator codes move on without sleeping. Passwords are hashed with the
real argon2id, so each test keeps its sign-ins few.
"""

import asyncio
import base64
import logging
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import nats
import pytest

from fumidai_cli.__main__ import main as cli_main
from libs.config.env import SettingsError
from libs.events.catalogue.credentials import AdminPasswordChanged
from libs.events.catalogue.signin import SignInAttempted
from services.identity.adapters import totp
from services.identity.bootstrap import bootstrap, reset_admin
from services.identity.domain.password_policy import policy_problems
from services.identity.settings import IdentityOwn, IdentitySettings
from services.identity.tests.callers import bearer, operator
from services.identity.tests.signin_support import (
    DOMAIN,
    IP,
    NEW_PASSWORD,
    Admin,
    Client,
    FakeClock,
    attempts,
    events,
    first_signin,
    new_facility,
    ok,
    password,
    refused,
    signin,
    step,
)


@pytest.fixture
def app(clocked: Client) -> Client:
    return clocked


# -- L1 L2 L3: the first and later sign-ins ---------------------------------------------------


async def test_l1_l2_l3_first_signin_changes_password_enrols_and_asks_second_password(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    first = ok(await password(app, admin.account.upper(), admin.password))  # case-insensitive
    assert first["next_step"] == "new_password" and first["password_reason"] == "initial"
    handle = first["handle"]
    # No skipping ahead: the transaction is bound to its next step.
    skipped = await step(app, "totp", handle=handle, code="000000")
    refused(skipped, 409, "signin_step_mismatch")
    # ...and the refusal names the step that is due, so a client can go on with the handle.
    [due] = skipped.json()["errors"]
    assert (due["field"], due["code"]) == ("next_step", "new_password")

    enrol = ok(await step(app, "new-password", handle=handle, new_password=NEW_PASSWORD))
    assert enrol["next_step"] == "totp_enrol" and enrol["handle"] == handle
    enrolment = enrol["enrolment"]
    uri = urlsplit(enrolment["otpauth_uri"])
    query = parse_qs(uri.query)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert admin.account in uri.path.replace("%40", "@")
    assert query["secret"] == [enrolment["secret"]] and query["issuer"] == ["fumidai"]
    assert enrolment["qr_svg"].startswith("<svg") and "<path" in enrolment["qr_svg"]
    # The console shows it as an image (data:image/svg+xml): without its namespace, nothing.
    assert enrolment["qr_svg"].startswith('<svg xmlns="http://www.w3.org/2000/svg"')

    refused(await step(app, "totp", handle=handle, code="12345"), 401, "totp_invalid")
    code = totp.code_at(enrolment["secret"], clock.step)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused(await step(app, "totp", handle=handle, code=wrong), 401, "totp_invalid")
    assert ok(await step(app, "totp", handle=handle, code=code))["next_step"] == "second_password"

    refused(
        await step(app, "second-password", handle=handle, second_password=admin.password),
        401,
        "second_password_invalid",
    )
    done = ok(
        await step(app, "second-password", handle=handle, second_password=admin.second_password)
    )
    assert done["next_step"] == "done" and "handle" not in done
    grant = done["grant"]
    assert grant["account"] == admin.account
    assert (grant["role"], grant["facility"], grant["app"]) == (
        "admin",
        "998",
        "メンテナンスツール",
    )
    # The handle is single-use: the finished sign-in cannot be replayed.
    refused(
        await step(app, "second-password", handle=handle, second_password=admin.second_password),
        410,
        "signin_expired",
    )

    # The initial password is gone; the chosen one works and nothing is asked twice.
    refused(await password(app, admin.account, admin.password), 401, "signin_failed")
    admin.password, admin.secret = NEW_PASSWORD, enrolment["secret"]
    clock.advance(seconds=30)
    assert (await signin(app, clock, admin))["grant"]["account"] == admin.account

    names = [e.name for e in await events(identity_settings) if e.aggregate_type == "admin"]
    assert names == ["AdminCreated", "AdminPasswordChanged", "AdminMfaEnrolled"]


@pytest.mark.parametrize(
    ("candidate", "codes"),
    [
        ("Short-1a", ["password_length"]),
        ("Aa1-" + "x" * 125, ["password_length"]),
        ("alllowercase-letters", ["password_classes"]),
        ("ALLUPPER12345678", ["password_classes"]),
        ("Xy-Operation-ADMIN01-z", ["password_contains_account"]),
        ("tab\tInside-1234", ["password_characters_invalid"]),
        ("abc", ["password_length", "password_classes"]),
    ],
)
def test_l1_policy_names_every_broken_rule(candidate: str, codes: list[str]) -> None:
    assert policy_problems(candidate, "operation-admin01", same_as_current=False) == codes


@pytest.mark.parametrize(
    "candidate",
    [
        "Kumo-no-ue-2026",
        "kumonoue2026!",
        "ＡＢＣ漢字abcd1234",
        "x" * 100 + "Aa1",
        "a1!" + "B" * 125,
    ],
)
def test_l1_policy_accepts_12_to_128_with_3_of_4_classes(candidate: str) -> None:
    assert policy_problems(candidate, "operation-admin01", same_as_current=False) == []


async def test_l1_rejected_new_passwords_are_logged_and_do_not_lock(
    app: Client, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    handle = ok(await password(app, admin.account, admin.password))["handle"]
    for candidate, code in [
        ("short", "password_length"),
        ("operation-admin01-Xyz", "password_contains_account"),
        ("nouppernodigits-at-all", "password_classes"),
        (admin.password, "password_reused"),  # the current (initial) password
        ("short2", "password_length"),
        ("short3", "password_length"),
    ]:
        response = await step(app, "new-password", handle=handle, new_password=candidate)
        refused(response, 400, code)
        assert response.json()["errors"][0]["field"] == "new_password"
    # Six refusals, no lock: a policy refusal proves nothing about who is typing.
    assert ok(await step(app, "new-password", handle=handle, new_password=NEW_PASSWORD))
    logged = await attempts(identity_settings)
    assert logged.count(("new_password", "failure", "password_rejected", "メンテナンスツール")) == 6
    assert logged[-1] == ("new_password", "success", "step_passed", "メンテナンスツール")


async def test_l1_password_expiry_is_a_facility_setting_off_by_default(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    clock.advance(days=400)  # no expiry by default
    started = ok(await password(app, admin.account, admin.password))
    assert started["next_step"] == "totp"

    response = await app.put(
        "/internal/v1/operator/facilities/998/password-expiry",
        json={"max_age_days": 90},
        headers=operator(),
    )
    assert response.status_code == 200, response.text
    refused(
        await app.put(
            "/internal/v1/operator/facilities/998/password-expiry",
            json={"max_age_days": 0},
            headers=operator(),
        ),
        400,
        "password_expiry_invalid",
    )
    expired = ok(await password(app, admin.account, admin.password))
    assert (expired["next_step"], expired["password_reason"]) == ("new_password", "expired")
    then = ok(
        await step(app, "new-password", handle=expired["handle"], new_password="Sora-no-shita-77")
    )
    assert then["next_step"] == "totp"  # already enrolled: no new authenticator
    changed = [
        e.data.reason
        for e in await events(identity_settings)
        if isinstance(e.data, AdminPasswordChanged)
    ]
    assert changed == ["initial", "expired"]


# -- L2: codes ---------------------------------------------------------------------------------


async def test_l2_codes_one_step_either_side_accepted_once(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)  # accepted the code of the current step

    # The same code again (a replay), within its validity window: refused.
    handle = ok(await password(app, admin.account, admin.password))["handle"]
    replay = totp.code_at(admin.secret, clock.step)
    refused(await step(app, "totp", handle=handle, code=replay), 401, "totp_invalid")
    # Two steps ahead is beyond the drift allowed.
    ahead = totp.code_at(admin.secret, clock.step + 2)
    refused(await step(app, "totp", handle=handle, code=ahead), 401, "totp_invalid")
    # One step ahead (the phone's clock runs fast) is fine.
    fast = totp.code_at(admin.secret, clock.step + 1)
    assert ok(await step(app, "totp", handle=handle, code=fast))["next_step"] == "second_password"

    # One step behind (typed just as it changed), later on: fine; the accepted one not again.
    clock.advance(seconds=90)
    assert (await signin(app, clock, admin, offset=-1))["next_step"] == "done"
    handle = ok(await password(app, admin.account, admin.password))["handle"]
    behind = totp.code_at(admin.secret, clock.step - 1)
    refused(await step(app, "totp", handle=handle, code=behind), 401, "totp_invalid")

    reasons = [a[2] for a in await attempts(identity_settings) if a[0] == "totp"]
    assert reasons[1:] == [
        "totp_replayed",
        "wrong_totp",
        "step_passed",
        "step_passed",
        "totp_replayed",
    ]


async def test_l5_authenticator_secret_is_sealed_at_rest(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    conn = await asyncpg.connect(identity_settings.core.database_url)
    try:
        sealed = bytes(await conn.fetchval("SELECT secret_sealed FROM totp_credentials"))
        hashes = await conn.fetchrow(
            "SELECT password_hash, second_password_hash FROM admin_credentials"
        )
    finally:
        await conn.close()
    assert hashes is not None
    assert admin.secret.encode() not in sealed
    assert base64.b32decode(admin.secret) not in sealed
    assert hashes["password_hash"].startswith("$argon2id$")  # a password a person chose
    assert admin.second_password not in hashes["second_password_hash"]


def test_l5_identity_refuses_to_start_without_a_valid_totp_key(
    identity_settings: IdentitySettings,
) -> None:
    for key in ("", "c2hvcnQ=", "not base64 at all!"):
        settings = IdentitySettings(
            core=identity_settings.core,
            events=identity_settings.events,
            own=IdentityOwn(totp_key=key),
        )
        with pytest.raises(SettingsError, match="TOTP_KEY"):
            bootstrap(settings)


def test_l5_a_sealed_secret_opens_only_for_its_account() -> None:
    box = totp.SecretBox("9X3M3w9cQk8m1f6Xo3m0C3JgkL0hQ7n8V4b6vK2pZ1E=")
    sealed = box.seal("JBSWY3DPEHPK3PXP", "admin-1")
    assert box.open(sealed, "admin-1") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(ValueError):
        box.open(sealed, "admin-2")
    other = totp.SecretBox("Ym9ndXMta2V5LWJvZ3VzLWtleS1ib2d1cy1rZXktMzI=")
    with pytest.raises(ValueError):
        other.open(sealed, "admin-1")


def test_l2_rfc6238_sha1_vectors() -> None:
    # RFC 6238 appendix B, SHA-1 seed "12345678901234567890", last 6 of the 8 digits.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    for unix, code in [(59, "287082"), (1111111109, "081804"), (1234567890, "005924")]:
        moment = datetime.fromtimestamp(unix, UTC)
        assert totp.code_at(secret, totp.step_at(moment)) == code
        assert totp.matching_step(secret, code, moment + timedelta(seconds=30)) is not None
        assert totp.matching_step(secret, code, moment + timedelta(seconds=61)) is None


# -- L4: lockout and the login log -------------------------------------------------------------


async def test_l4_five_failures_from_one_address_on_any_factor_lock_it_for_15_minutes(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    """Every attempt from one address (decision 0031: five lock the account from there;
    tests/test_lockout.py has the other addresses' side and the ceiling)."""
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    clock.advance(seconds=60)

    for _ in range(2):  # two wrong passwords
        refused(await password(app, admin.account, "Wrong-password-1"), 401, "signin_failed")
    handle = ok(await password(app, admin.account, admin.password))["handle"]
    for _ in range(2):  # two wrong codes: a right password in between does not start over
        refused(await step(app, "totp", handle=handle, code="000000"), 401, "totp_invalid")
    code = totp.code_at(admin.secret, clock.step)
    assert ok(await step(app, "totp", handle=handle, code=code))["next_step"] == "second_password"
    # The fifth failure in a row, on the third factor, locks and ends the sign-in.
    refused(
        await step(app, "second-password", handle=handle, second_password="nope"),
        423,
        "account_locked",
    )
    refused(
        await step(app, "second-password", handle=handle, second_password=admin.second_password),
        410,
        "signin_expired",
    )
    refused(await password(app, admin.account, admin.password), 423, "account_locked")

    clock.advance(minutes=14, seconds=50)
    refused(await password(app, admin.account, admin.password), 423, "account_locked")
    clock.advance(seconds=11)
    assert (await signin(app, clock, admin))["next_step"] == "done"

    logged = await attempts(identity_settings)
    tail = [(s, r, why) for s, r, why, _ in logged[-12:]]
    assert tail == [
        ("password", "failure", "wrong_password"),
        ("password", "failure", "wrong_password"),
        ("password", "success", "step_passed"),
        ("totp", "failure", "wrong_totp"),
        ("totp", "failure", "wrong_totp"),
        ("totp", "success", "step_passed"),
        ("second_password", "failure", "wrong_second_password"),
        ("password", "failure", "locked"),
        ("password", "failure", "locked"),
        ("password", "success", "step_passed"),
        ("totp", "success", "step_passed"),
        ("second_password", "success", "signed_in"),
    ]


async def test_l4_every_attempt_is_logged_with_app_result_reason_and_source_ip(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    refused(await password(app, admin.account, "Wrong-password-1"), 401, "signin_failed")
    refused(await password(app, "998-ghost@" + DOMAIN, "Wrong-password-1"), 401, "signin_failed")
    first = ok(await password(app, admin.account, admin.password))
    refused(await password(app, "998-ghost@other.example", "Wrong-1"), 401, "signin_failed")

    attempted = [e for e in await events(identity_settings) if e.name == "SignInAttempted"]
    stray = attempted.pop()  # names no facility (right code, wrong domain): nobody's log
    assert (stray.facility, stray.data.facility) == ("-", None)  # type: ignore[union-attr]
    assert len(attempted) == 3
    for envelope in attempted:
        data = envelope.data
        assert isinstance(data, SignInAttempted)
        assert envelope.actor.ip == IP
        assert data.app == "メンテナンスツール" and data.step == "password"
        assert envelope.context == "signin" and envelope.version == 1
    wrong, ghost, right = (e.data for e in attempted)
    assert isinstance(wrong, SignInAttempted) and isinstance(ghost, SignInAttempted)
    assert isinstance(right, SignInAttempted)
    assert (wrong.result, wrong.reason, wrong.facility) == ("failure", "wrong_password", "998")
    assert (ghost.result, ghost.reason, ghost.account_id) == ("failure", "unknown_account", None)
    assert attempted[1].facility == ghost.facility == "998"  # it names 998: 998's log
    assert (right.result, right.reason, right.account) == ("success", "step_passed", admin.account)
    assert len({e.aggregate_id for e in attempted}) == 3  # each attempt its own aggregate

    # The next steps of one sign-in share its correlation id, never the handle itself.
    ok(await step(app, "new-password", handle=first["handle"], new_password=NEW_PASSWORD))
    steps = [
        e
        for e in await events(identity_settings)
        if e.correlation_id == attempted[2].correlation_id
    ]
    assert [e.name for e in steps] == ["SignInAttempted", "SignInAttempted", "AdminPasswordChanged"]


async def test_l4_sign_in_events_have_their_own_shorter_lived_stream(
    app: Client, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    refused(await password(app, admin.account, "Wrong-password-1"), 401, "signin_failed")
    nc = await nats.connect(
        identity_settings.core.nats_url,
        nkeys_seed=identity_settings.core.nats_nkey_seed_file or None,
    )
    try:
        js = nc.jetstream()
        stream = identity_settings.events.stream_name("signin")
        deadline = time.monotonic() + 10
        while (info := await js.stream_info(stream)).state.messages < 1:
            assert time.monotonic() < deadline, "the relay did not publish the attempt"
            await asyncio.sleep(0.1)
        assert info.config.max_age == 45 * 86400
        identity = await js.stream_info(identity_settings.events.stream_name("identity"))
        assert identity.config.max_age == 0  # kept forever (decision 0036)
    finally:
        await nc.close()


# -- enumeration, apps, who may call -----------------------------------------------------------


async def test_l4_unknown_account_answers_and_locks_like_a_wrong_password(app: Client) -> None:
    admin = await new_facility(app)
    ghost = "998-ghost-admin@" + DOMAIN
    known_times, ghost_times = [], []
    for _ in range(3):
        started = time.perf_counter()
        known = await password(app, admin.account, "Wrong-password-1")
        known_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        unknown = await password(app, ghost, "Wrong-password-1")
        ghost_times.append(time.perf_counter() - started)
        assert known.status_code == unknown.status_code == 401
        assert known.json() == unknown.json()
    # Both pay one argon2 verification; without the decoy the unknown one would be ~0 ms.
    ratio = statistics.median(ghost_times) / statistics.median(known_times)
    assert 0.5 < ratio < 2.0, (known_times, ghost_times)
    for _ in range(2):
        await password(app, admin.account, "Wrong-password-1")
        await password(app, ghost, "Wrong-password-1")
    known_locked = await password(app, admin.account, admin.password)
    ghost_locked = await password(app, ghost, admin.password)
    assert known_locked.status_code == ghost_locked.status_code == 423
    assert known_locked.json() == ghost_locked.json()


async def test_t4_admins_sign_in_only_to_the_maintenance_tool(app: Client) -> None:
    admin = await new_facility(app)
    for other in ("リモートアクセス", "ファイル共有"):
        refused(await password(app, admin.account, admin.password, other), 401, "signin_failed")
    bad_app = await password(app, admin.account, admin.password, "管理画面")
    assert bad_app.status_code == 400


async def test_only_the_gateway_pre_authentication_token_may_drive_a_sign_in(
    app: Client,
) -> None:
    admin = await new_facility(app)
    body = {"account": admin.account, "password": admin.password, "app": "メンテナンスツール"}
    for headers in (
        bearer(admin.account, "admin", "998"),
        bearer("998-u@x.example", "user", "998"),
        bearer("gateway", "system", "998"),
        operator(),
    ):
        response = await app.post("/internal/v1/signin/password", json=body, headers=headers)
        assert response.status_code == 403, headers
    assert (await app.post("/internal/v1/signin/password", json=body)).status_code == 401


# -- T4: operator resets -----------------------------------------------------------------------


async def test_t4_operator_resets_an_admin_password_shown_once_and_lifts_the_lock(
    app: Client, clock: FakeClock
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    clock.advance(seconds=60)
    in_flight = ok(await password(app, admin.account, admin.password))["handle"]
    for _ in range(5):
        await password(app, admin.account, "Wrong-password-1")
    refused(await password(app, admin.account, admin.password), 423, "account_locked")

    only_operators = await app.post(
        "/internal/v1/operator/admins/password-reset",
        json={"account": admin.account},
        headers=bearer(admin.account, "admin", "998"),
    )
    assert only_operators.status_code == 403
    missing = await app.post(
        "/internal/v1/operator/admins/password-reset",
        json={"account": "998-nobody@" + DOMAIN},
        headers=operator(),
    )
    refused(missing, 404, "admin_not_found")

    response = await app.post(
        "/internal/v1/operator/admins/password-reset",
        json={"account": admin.account.upper()},
        headers=operator(),
    )
    body = ok(response)
    assert body["account"] == admin.account and "initial_second_password" not in body
    initial = body["initial_password"]
    refused(await step(app, "totp", handle=in_flight, code="000000"), 410, "signin_expired")
    refused(await password(app, admin.account, admin.password), 401, "signin_failed")
    again = ok(await password(app, admin.account, initial))  # unlocked, forced change
    assert (again["next_step"], again["password_reason"]) == ("new_password", "initial")
    then = ok(
        await step(app, "new-password", handle=again["handle"], new_password="Hoshi-zora-2027")
    )
    assert then["next_step"] == "totp"  # the authenticator stays bound


async def test_t4_operator_resets_mfa_so_the_admin_enrols_again(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    clock.advance(seconds=60)
    done = await reset_admin(
        identity_settings.core.database_url, admin.account, "pytest-operator", mfa=True
    )
    assert done.initial_password is None
    started = ok(await password(app, admin.account, admin.password))
    assert started["next_step"] == "totp_enrol"
    fresh = started["enrolment"]["secret"]
    assert fresh != admin.secret
    old_code = totp.code_at(admin.secret, clock.step)
    refused(await step(app, "totp", handle=started["handle"], code=old_code), 401, "totp_invalid")
    code = totp.code_at(fresh, clock.step)
    assert ok(await step(app, "totp", handle=started["handle"], code=code))["next_step"] == (
        "second_password"
    )
    names = [e.name for e in await events(identity_settings) if e.aggregate_type == "admin"]
    assert names[-2:] == ["AdminMfaReset", "AdminMfaEnrolled"]
    reset = next(e for e in await events(identity_settings) if e.name == "AdminMfaReset")
    assert (reset.actor.id, reset.actor.role) == ("pytest-operator", "operator")


async def test_t4_l3_operator_resets_an_admin_second_password_shown_once(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    clock.advance(seconds=60)
    # A sign-in that reached 「第二パスワードの入力」 before the reset does not finish.
    in_flight = ok(await password(app, admin.account, admin.password))["handle"]
    code = totp.code_at(admin.secret, clock.step)
    assert ok(await step(app, "totp", handle=in_flight, code=code))["next_step"] == (
        "second_password"
    )
    path = "/internal/v1/operator/admins/second-password-reset"
    as_admin = await app.post(
        path, json={"account": admin.account}, headers=bearer(admin.account, "admin", "998")
    )
    assert as_admin.status_code == 403
    refused(
        await app.post(path, json={"account": "998-nobody@" + DOMAIN}, headers=operator()),
        404,
        "admin_not_found",
    )
    body = ok(await app.post(path, json={"account": admin.account}, headers=operator()))
    assert body["account"] == admin.account and "initial_password" not in body
    new_second = body["initial_second_password"]
    assert new_second and new_second != admin.second_password
    refused(
        await step(app, "second-password", handle=in_flight, second_password=new_second),
        410,
        "signin_expired",
    )

    clock.advance(seconds=30)
    old = admin.second_password
    admin.second_password = new_second
    started = ok(await password(app, admin.account, admin.password))
    code = totp.code_at(admin.secret, clock.step)
    ok(await step(app, "totp", handle=started["handle"], code=code))
    refused(
        await step(app, "second-password", handle=started["handle"], second_password=old),
        401,
        "second_password_invalid",
    )
    done = ok(
        await step(app, "second-password", handle=started["handle"], second_password=new_second)
    )
    assert done["next_step"] == "done"  # password and authenticator stay as they were
    reset = [e for e in await events(identity_settings) if e.name == "AdminSecondPasswordReset"]
    assert [(e.actor.id, e.actor.role) for e in reset] == [("pytest-operator", "operator")]
    assert new_second not in await events_text(identity_settings.core.database_url)


# -- no secret anywhere ------------------------------------------------------------------------


async def test_l5_no_secret_reaches_the_events_or_the_logs(
    app: Client,
    clock: FakeClock,
    identity_settings: IdentitySettings,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = await new_facility(app)
    secrets = [admin.password, admin.second_password]
    first = ok(await password(app, admin.account, admin.password))
    handles = [first["handle"]]
    refused(
        await step(app, "new-password", handle=first["handle"], new_password="Tsuki-1"),
        400,
        "password_length",
    )
    enrol = ok(await step(app, "new-password", handle=first["handle"], new_password=NEW_PASSWORD))
    secret = enrol["enrolment"]["secret"]
    codes = [totp.code_at(secret, clock.step + 2), totp.code_at(secret, clock.step)]
    refused(await step(app, "totp", handle=first["handle"], code=codes[0]), 401, "totp_invalid")
    ok(await step(app, "totp", handle=first["handle"], code=codes[1]))
    refused(
        await step(app, "second-password", handle=first["handle"], second_password="Wrong-2nd"),
        401,
        "second_password_invalid",
    )
    ok(
        await step(
            app, "second-password", handle=first["handle"], second_password=admin.second_password
        )
    )
    reset = ok(
        await app.post(
            "/internal/v1/operator/admins/password-reset",
            json={"account": admin.account},
            headers=operator(),
        )
    )
    second = ok(await password(app, admin.account, reset["initial_password"]))
    handles.append(second["handle"])
    secrets += [NEW_PASSWORD, "Tsuki-1", "Wrong-2nd", secret, reset["initial_password"]]

    assert any(e.name == "AdminPasswordReset" for e in await events(identity_settings))
    stored = await events_text(identity_settings.core.database_url)
    out, err = capfd.readouterr()
    logs = "\n".join([out, err, caplog.text])
    assert "/internal/v1/signin/password" in logs  # the capture does see the log lines
    for where, text in (("events", stored), ("logs", logs)):
        for value in [*secrets, *handles]:
            assert value not in text, f"a secret is in the {where}"
        for code in codes:
            assert not re.search(rf"[\"'=]{code}[\"']", text), f"a code is in the {where}"


async def events_text(database_url: str) -> str:
    """Every stored event, as the JSON text that is relayed."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT convert_from(payload, 'UTF8') AS text FROM events")
    finally:
        await conn.close()
    assert rows
    return "\n".join(row["text"] for row in rows)


# -- a signed-in admin's own credentials --------------------------------------------------------


async def test_l1_l4_a_signed_in_admin_changes_its_password_and_checks_its_second_password(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    me = bearer(admin.account, "admin", "998", ip=IP)

    async def change(current: str, new: str) -> httpx.Response:
        body = {"current_password": current, "new_password": new}
        return await app.post("/internal/v1/credentials/password", json=body, headers=me)

    async def check(candidate: str, headers: dict[str, str] = me) -> httpx.Response:
        body = {"second_password": candidate}
        return await app.post(
            "/internal/v1/credentials/second-password/check", json=body, headers=headers
        )

    refused(await change(admin.password, admin.password), 400, "password_reused")
    refused(await change("Not-the-current-1", "Yuki-no-hana-2028"), 401, "current_password_invalid")
    assert ok(await change(admin.password, "Yuki-no-hana-2028"))["consistency_token"]
    admin.password = "Yuki-no-hana-2028"
    assert ok(await password(app, admin.account, admin.password))["next_step"] == "totp"
    changed = [
        (e.data.reason, e.actor.ip)
        for e in await events(identity_settings)
        if isinstance(e.data, AdminPasswordChanged)
    ]
    assert changed[-1] == ("voluntary", IP)

    assert (await check(admin.second_password)).status_code == 204
    refused(await check("Wrong-second-1"), 401, "second_password_invalid")
    other_facility = bearer(admin.account, "admin", "997")
    refused(await check(admin.second_password, other_facility), 404, "account_not_found")
    gateway = bearer("gateway", "system", "*")
    assert (await check(admin.second_password, gateway)).status_code == 403
    # Two failures so far (current password, second password): three more lock.
    for _ in range(2):
        refused(await check("Wrong-second-1"), 401, "second_password_invalid")
    refused(await check("Wrong-second-1"), 423, "account_locked")
    refused(await check(admin.second_password), 423, "account_locked")
    refused(await password(app, admin.account, admin.password), 423, "account_locked")


# -- the operator's shell commands --------------------------------------------------------------


async def test_t4_cli_prints_both_secrets_once_and_resets_a_password(
    app: Client,
    clock: FakeClock,
    identity_settings: IdentitySettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = identity_settings.core.database_url
    create = [
        "facility", "create", "--code", "997", "--name", "997-Clinic", "--domain", DOMAIN,
        "--admin", "admin01", "--admin-full-name", "山田 花子",
        "--admin-email", "hanako@clinic.example.jp", "--database-url", url,
    ]  # fmt: skip
    assert await asyncio.to_thread(cli_main, create) == 0
    printed = labelled(capsys.readouterr().out)
    admin = Admin(printed["admin"], printed["password"], printed["second"])
    assert (await first_signin(app, clock, admin))["grant"]["facility"] == "997"

    reset = ["admin", "reset-password", "--account", admin.account, "--database-url", url]
    assert await asyncio.to_thread(cli_main, reset) == 0
    printed = labelled(capsys.readouterr().out)
    assert "second" not in printed  # it never changes, so it is not shown again
    assert printed["admin"] == admin.account
    forced = ok(await password(app, admin.account, printed["password"]))
    assert forced["next_step"] == "new_password"
    clock.advance(seconds=60)
    second = ["admin", "reset-second-password", "--account", admin.account, "--database-url", url]
    assert await asyncio.to_thread(cli_main, second) == 0
    printed = labelled(capsys.readouterr().out)
    assert printed["admin"] == admin.account and "password" not in printed
    assert printed["second"] and printed["second"] != admin.second_password
    missing = ["admin", "reset-mfa", "--account", "997-nobody@" + DOMAIN, "--database-url", url]
    assert await asyncio.to_thread(cli_main, missing) == 1
    assert "admin_not_found" in capsys.readouterr().err


def labelled(out: str) -> dict[str, str]:
    """The ``label  value`` lines a CLI command printed (the app's log lines left out)."""
    labels = ("facility", "admin", "password", "second")
    return {
        label: value.strip()
        for label, _, value in (line.partition("  ") for line in out.splitlines())
        if label in labels
    }
