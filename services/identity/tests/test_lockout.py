"""SPEC L4 as decided in docs/decisions/0031: 5 failures in a row from one address lock the
account from that address; 20 from all addresses lock it from everywhere; an attacker on
one address never keeps the owner out from another; each lock is told (AccountLocked)."""

from datetime import UTC, datetime, timedelta

import pytest

from libs.events.catalogue.signin import AccountLocked
from services.identity.domain.signin import (
    Failures,
    Lockout,
    after_counted_failure,
    newly_locked,
)
from services.identity.settings import IdentitySettings
from services.identity.tests.signin_support import (
    Client,
    FakeClock,
    events,
    first_signin,
    new_facility,
    password,
    refused,
    signin,
)


@pytest.fixture
def app(clocked: Client) -> Client:
    return clocked


ATTACKER, OWNER = "198.51.100.66", "203.0.113.7"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LOCK = timedelta(minutes=15)


def fail(state: Lockout, at: datetime) -> Lockout:
    return after_counted_failure(state, at, per_address=5, per_account=20, lock_for=LOCK)


def test_l4_five_from_one_address_lock_that_address_only() -> None:
    state, at = Lockout(), T0
    for _ in range(4):
        state = fail(state, at)
        assert not state.locked(at)
    before, state = state, fail(state, at)
    assert newly_locked(before, state, at) == "address"
    assert state.here.locked(at) and not state.everywhere.locked(at)
    # Another address's view of the same account: only the run from everywhere, unlocked.
    assert not Lockout(Failures(), state.everywhere).locked(at)
    assert not state.locked(at + LOCK)


def test_l4_one_address_alone_never_reaches_the_ceiling() -> None:
    """Each 5th failure shuts the address out for as long as the ceiling's run remembers
    the last one: round after round, the run from everywhere starts over."""
    state, at = Lockout(), T0
    for _ in range(10):  # 50 failures over 2.5 hours
        for _ in range(5):
            state = fail(state, at)
        assert state.here.locked(at) and not state.everywhere.locked(at)
        at = state.here.locked_until or at
        state = Lockout(Failures(), state.everywhere)  # the address's run is over too
    assert state.everywhere.current(at, LOCK) == 0


def test_l4_twenty_from_many_addresses_lock_the_account_everywhere() -> None:
    everywhere, at = Failures(), T0
    started: list[str | None] = []
    for _ in range(4):
        here = Failures()
        for _ in range(5):
            before = Lockout(here, everywhere)
            after = fail(before, at)
            here, everywhere = after.here, after.everywhere
            at += timedelta(seconds=30)
        started.append(newly_locked(before, after, at - timedelta(seconds=30)))
    assert started == ["address", "address", "address", "account"]
    assert everywhere.count == 20 and everywhere.locked(at)
    assert Lockout(Failures(), everywhere).locked(at)  # a fifth address too


async def test_l4_an_attacker_on_one_address_does_not_keep_the_owner_out(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    clock.advance(seconds=60)
    for _ in range(5):
        wrong = await password(app, admin.account, "Wrong-password-1", ip=ATTACKER)
        assert wrong.status_code in (401, 423)
    # The attacker's address is locked out, even with the right password ...
    refused(await password(app, admin.account, admin.password, ip=ATTACKER), 423, "account_locked")
    # ... the owner elsewhere signs in, and that does not lift the attacker's lock.
    assert (await signin(app, clock, admin, ip=OWNER))["next_step"] == "done"
    refused(await password(app, admin.account, admin.password, ip=ATTACKER), 423, "account_locked")

    told = [e for e in await events(identity_settings) if isinstance(e.data, AccountLocked)]
    assert len(told) == 1
    lock, data = told[0], told[0].data
    assert isinstance(data, AccountLocked)
    assert (data.account, data.scope, data.failures) == (admin.account, "address", 5)
    assert (lock.actor.role, lock.actor.ip, lock.facility) == ("system", ATTACKER, "998")
    assert data.lock_minutes == 15


async def test_l4_failures_spread_over_addresses_lock_the_account_from_everywhere(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    clock.advance(seconds=60)
    for address in range(4):
        for _ in range(5):
            await password(app, admin.account, "Wrong-password-1", ip=f"192.0.2.{address + 1}")
            clock.advance(seconds=10)
    refused(await password(app, admin.account, admin.password, ip=OWNER), 423, "account_locked")
    clock.advance(minutes=15)
    assert (await signin(app, clock, admin, ip=OWNER))["next_step"] == "done"

    told = [e.data for e in await events(identity_settings) if isinstance(e.data, AccountLocked)]
    assert [(t.scope, t.failures) for t in told] == [("address", 5)] * 3 + [("account", 20)]


async def test_l4_a_typed_account_cannot_name_another_accounts_per_address_count(
    app: Client, clock: FakeClock
) -> None:
    """The per-address key is ``<account> @<ip>``: an account typed as exactly that (spaces
    and all) must not add to the owner's count from that address (security review)."""
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    clock.advance(seconds=60)
    forged = f"{admin.account} @{OWNER}"
    for _ in range(4):
        refused(
            await password(app, forged, "Wrong-password-1", ip=ATTACKER), 400, "invalid_request"
        )
    # One typo of the owner's own is then one failure, not the fifth.
    wrong = await password(app, admin.account, "Wrong-password-1", ip=OWNER)
    assert wrong.status_code == 401, wrong.text
    assert (await signin(app, clock, admin, ip=OWNER))["next_step"] == "done"
