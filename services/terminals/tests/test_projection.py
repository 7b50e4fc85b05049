"""The projection of users' access profiles and of facilities' settings tolerates any
arrival order (SPEC C1, T1) and can be rebuilt from the streams into the same rows."""

from datetime import date

from nats.aio.client import Client as NATS

from libs.events.catalogue.users import (
    TerminalAssigned,
    TerminalUnassigned,
    UserCreated,
    UserDeleted,
    UserProfile,
    UserUpdated,
)
from libs.events.ids import new_id
from libs.events.rebuild import rebuild
from libs.events.settings import EventSettings
from services.terminals.consumers import PROJECTIONS
from services.terminals.tests.harness import CODE, IdentityFeed, Service, account

MAC = "00:11:22:33:44:55"
OTHER_MAC = "66:77:88:99:AA:BB"


def profile(*macs: str) -> UserProfile:
    return UserProfile(
        family_name="order",
        email="order@example.jp",
        valid_from=date(2024, 12, 1),
        valid_until=date(2026, 3, 31),
        macs=macs,
    )


async def test_c1_the_projection_tolerates_cross_stream_order(
    service: Service, identity: IdentityFeed
) -> None:
    terminal = await service.create_terminal("group01")
    agent = service.agent(await service.credential(terminal))

    async def reason(who: str, mac: str = MAC) -> str | None:
        return (await agent.authorize(who, mac)).reason

    # An assignment before its user.
    early, early_id = account("early"), new_id()
    await identity.publish(
        identity.event(TerminalAssigned(account=early, terminal_id=terminal), early_id, 2, CODE)
    )
    assert await reason(early) == "unknown_user"
    await identity.publish(
        identity.event(UserCreated(account=early, profile=profile(MAC)), early_id, 1, CODE)
    )
    assert await reason(early) is None

    # A user (and its assignment) after its deletion: it stays deleted.
    ghost, ghost_id = account("ghost"), new_id()
    await identity.publish(identity.event(UserDeleted(account=ghost), ghost_id, 3, CODE))
    await identity.publish(
        identity.event(UserCreated(account=ghost, profile=profile(MAC)), ghost_id, 1, CODE),
        identity.event(TerminalAssigned(account=ghost, terminal_id=terminal), ghost_id, 2, CODE),
    )
    assert await reason(ghost) == "unknown_user"

    # An older profile after a newer one changes nothing.
    moved, moved_id = account("moved"), new_id()
    await identity.publish(
        identity.event(UserCreated(account=moved, profile=profile(MAC)), moved_id, 1, CODE),
        identity.event(TerminalAssigned(account=moved, terminal_id=terminal), moved_id, 2, CODE),
        identity.event(
            UserUpdated(account=moved, profile=profile(OTHER_MAC), changed=("macs",)),
            moved_id,
            4,
            CODE,
        ),
        identity.event(
            UserUpdated(account=moved, profile=profile(MAC), changed=("macs",)), moved_id, 3, CODE
        ),
    )
    assert await reason(moved, OTHER_MAC) is None
    assert await reason(moved, MAC) == "mac_not_registered"

    # An older assignment after a newer unassignment changes nothing.
    await identity.publish(
        identity.event(TerminalUnassigned(account=moved, terminal_id=terminal), moved_id, 6, CODE),
        identity.event(TerminalAssigned(account=moved, terminal_id=terminal), moved_id, 5, CODE),
    )
    assert await reason(moved, OTHER_MAC) == "terminal_not_assigned"

    listing = (await service.admin("GET", "/terminals")).json()
    assert [t["user_count"] for t in listing] == [1]  # early only
    users = await service.admin("GET", "/terminals/users", params={"terminal_id": terminal})
    assert [(u["account"], u["assigned"]) for u in users.json()] == [
        (early, True),
        (moved, False),
    ]
    await agent.aclose()


async def test_the_projections_rebuild_into_the_same_rows(
    service: Service, identity: IdentityFeed, nc: NATS, event_settings: EventSettings
) -> None:
    terminal = await service.create_terminal("group01")
    kept = await identity.user("kept", hours=("22:00", "06:00"), terminals=(terminal,))
    await identity.update(kept, macs=(MAC, OTHER_MAC))
    gone = await identity.user("gone", terminals=(terminal,))
    await identity.delete(gone)
    await identity.settings(2, time_zone="America/Los_Angeles", name="998-Renamed")
    await identity.settings(3, time_zone="Europe/London")
    for projection in PROJECTIONS:
        report = await rebuild(
            service.runtime.backbone.pool, nc, projection, event_settings, swap=False
        )
        assert report.events > 0
        assert sum(report.differences.values()) == 0, (projection.name, report.differences)


async def test_t1_c1_decisions_follow_the_facilitys_time_zone_as_it_changes(
    service: Service, identity: IdentityFeed
) -> None:
    """The clock stands at Monday 2025-03-24 10:00 in Tokyo: Sunday 18:00 in Los Angeles."""
    terminal = await service.create_terminal("group01")
    agent = service.agent(await service.credential(terminal))
    today = await identity.user("today", valid_from=date(2025, 3, 24), terminals=(terminal,))
    day = await identity.user("day", hours=("09:00", "17:00"), terminals=(terminal,))

    async def reasons() -> tuple[str | None, str | None]:
        first = await agent.authorize(today.account, MAC)
        second = await agent.authorize(day.account, MAC)
        return first.reason, second.reason

    assert await reasons() == (None, None)
    await identity.settings(2, time_zone="America/Los_Angeles")
    assert await reasons() == ("not_yet_valid", "outside_hours")  # before midnight there
    await identity.settings(3, name="998-Renamed")  # the zone stays as it is
    assert await reasons() == ("not_yet_valid", "outside_hours")
    # A late older change does not undo a newer one.
    await identity.settings(5, time_zone="Asia/Tokyo")
    await identity.settings(4, time_zone="Europe/London")
    assert await reasons() == (None, None)
    await agent.aclose()


async def test_t1_a_settings_change_seen_before_its_registration_is_kept(
    service: Service, identity: IdentityFeed
) -> None:
    await identity.settings(2, code="997", time_zone="America/Los_Angeles")
    await identity.facility("997")  # Asia/Tokyo, version 1: older than the change
    row = await service.runtime.backbone.pool.fetchrow(
        "SELECT name, time_zone FROM facilities WHERE code = '997'"
    )
    assert row is not None
    assert (row["name"], row["time_zone"]) == ("997-Hospital", "America/Los_Angeles")
