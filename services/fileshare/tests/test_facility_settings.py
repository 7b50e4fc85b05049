"""fileshare follows the facility's settings and admins as identity's events change them
(issue 15; SPEC T1): 院内外 (F2), the download period (F7), the time zone and who is mailed
about a user's share (F6) — through the real service, NATS and an SMTP server."""

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from libs.events.catalogue.identity import (
    AdminCreated,
    AdminDisabled,
    FacilityRegistered,
    FacilitySettingsChanged,
)
from libs.events.envelope import envelop
from libs.events.ids import new_id
from libs.events.rebuild import rebuild
from services.fileshare.consumers import PROJECTIONS
from services.fileshare.domain.share import add_months
from services.fileshare.tests.conftest import Fileshare
from services.fileshare.tests.world import (
    ADMIN_MAIL,
    IDENTITY,
    INSIDE_IP,
    INTERNAL_NETWORK,
    OTHER_FACILITY,
    OUTSIDE_IP,
    as_user,
    eventually,
    mails,
    publish,
    simple_upload,
)

MINE = "/internal/v1/users/me/shares"


async def share(fs: Fileshare, account: str, *, ip: str = OUTSIDE_IP) -> dict:  # type: ignore[type-arg]
    headers, body = simple_upload("検査データの共有", [("結果.txt", b"result")])
    response = await fs.http.post(
        MINE, headers={**headers, **as_user(account, ip=ip)}, content=body
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def recipients_of_next_mail(fs: Fileshare, account: str) -> tuple[str, ...]:
    """Share once and return who the one mail about it went to; fail on a second mail."""
    before = len(fs.mail.received)
    await share(fs, account)
    received = await mails(fs.mail, before + 1)
    await asyncio.sleep(0.5)  # time for a second mail, were one (wrongly) on its way
    assert len(fs.mail.received) == before + 1
    return received[before].rcpt_tos


async def test_f6_t1_a_share_mails_the_facility_addresses_and_its_enabled_admins_once(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    await fs.world.admin("admin01", "Ichiro@Hospital.example")
    # The same address as the facility's, spelt otherwise: still one copy (F6).
    await fs.world.admin("admin02", ADMIN_MAIL.upper())
    saburo = await fs.world.admin("admin03", "saburo@hospital.example")
    await fs.world.switch_admin(saburo, enabled=False)
    await fs.world.admin("admin01", "someone@other.example", facility=OTHER_FACILITY)
    account = await fs.world.user("approval")

    assert await recipients_of_next_mail(fs, account) == (ADMIN_MAIL, "Ichiro@Hospital.example")
    message = fs.mail.received[-1].message
    assert message["To"] == f"{ADMIN_MAIL}, Ichiro@Hospital.example"

    # Enabled again, the admin is mailed again; a newly disabled one no longer is.
    await fs.world.switch_admin(saburo, enabled=True)
    assert await recipients_of_next_mail(fs, account) == (
        ADMIN_MAIL,
        "Ichiro@Hospital.example",
        "saburo@hospital.example",
    )


async def test_t1_f6_the_next_share_mails_the_changed_notification_addresses(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    await fs.world.admin("admin01", "ichiro@hospital.example")
    account = await fs.world.user("always")
    assert await recipients_of_next_mail(fs, account) == (ADMIN_MAIL, "ichiro@hospital.example")

    await fs.world.change_settings(notification_addresses=("desk@hospital.example",))
    assert await recipients_of_next_mail(fs, account) == (
        "desk@hospital.example",
        "ichiro@hospital.example",
    )

    # No addresses and no enabled admin: nobody to mail, and the mail consumer moves on.
    await fs.world.change_settings(notification_addresses=())
    [admin_id] = [r["admin_id"] for r in await fs.db.fetch("SELECT admin_id FROM facility_admins")]
    await fs.world.switch_admin(admin_id, enabled=False)
    sent = len(fs.mail.received)
    shared = await share(fs, account)

    async def settled() -> bool:
        return bool(
            await fs.db.fetchval(
                """SELECT EXISTS (SELECT 1 FROM inbox i JOIN events e USING (event_id)
                                  WHERE i.projection = 'fileshare_mail'
                                    AND e.aggregate_id = $1 AND e.type = 'ShareAvailable.v1')""",
                shared["share_id"],
            )
        )

    await eventually(settled)
    assert len(fs.mail.received) == sent


async def test_t1_f6_mails_tell_the_time_in_the_facilitys_changed_time_zone(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    await fs.world.change_settings(time_zone="America/New_York")
    uploaded = datetime.fromisoformat((await share(fs, account))["uploaded_at"])
    [mail] = await mails(fs.mail, 1)
    local = uploaded.astimezone(ZoneInfo("America/New_York"))
    assert f"アップロード時間: {local:%Y-%m-%d %H:%M:%S}" in mail.message.get_content()


async def test_t1_f2_f7_internal_networks_and_download_period_follow_the_settings(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    before = await share(fs, account, ip=INSIDE_IP)
    assert before["direction_label"] == "院内"
    uploaded = datetime.fromisoformat(before["uploaded_at"])
    assert datetime.fromisoformat(before["expires_at"]) == add_months(uploaded, 3)

    # Only the named field changes: the download period stays at 3 months.
    await fs.world.change_settings(internal_networks=("203.0.113.0/24",))
    assert (await share(fs, account, ip=INSIDE_IP))["direction_label"] == "院外"
    moved = await share(fs, account, ip=OUTSIDE_IP)
    assert moved["direction_label"] == "院内"
    assert datetime.fromisoformat(moved["expires_at"]) == add_months(uploaded, 3)

    # The networks stay as they were; a new share's expiry follows the new period, an
    # earlier share keeps its own.
    await fs.world.change_settings(download_period_months=1)
    later = await share(fs, account, ip=OUTSIDE_IP)
    assert later["direction_label"] == "院内"
    assert datetime.fromisoformat(later["expires_at"]) == add_months(uploaded, 1)
    again = await fs.http.get(MINE, headers=as_user(account))
    expiries = {s["share_id"]: s["expires_at"] for s in again.json()["items"]}
    assert expiries[before["share_id"]] == before["expires_at"]


async def test_t1_facility_and_admin_projections_rebuild_into_the_same_rows(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    admin_id = await fs.world.admin("admin01", "ichiro@hospital.example")
    await fs.world.switch_admin(admin_id, enabled=False)
    await fs.world.change_settings(download_period_months=6, notification_addresses=())
    await fs.world.change_settings(internal_networks=(INTERNAL_NETWORK, "192.168.0.0/16"))
    row = await fs.db.fetchrow(
        """SELECT internal_networks::text[] AS networks, download_period_months,
                  notification_addresses FROM facility_policies WHERE code = '998'"""
    )
    assert row is not None
    assert (row["networks"], row["download_period_months"], row["notification_addresses"]) == (
        [INTERNAL_NETWORK, "192.168.0.0/16"],
        6,
        [],
    )
    for projection in PROJECTIONS:
        report = await rebuild(fs.db, fs.nc, projection, fs.settings.events, swap=False)
        assert sum(report.differences.values()) == 0, (projection.name, report.differences)


async def test_t1_a_late_older_event_undoes_nothing(fileshare: Fileshare) -> None:
    """Redelivered behind newer ones (a failed batch), an older change or a registration
    seen after a change leaves the newer values; an admin disabled before its AdminCreated
    is seen stays disabled."""
    fs, world = fileshare, fileshare.world
    facility_id = new_id()
    newer = FacilitySettingsChanged(
        code="996", download_period_months=2, notification_addresses=("new@x.example",)
    )
    older = FacilitySettingsChanged(code="996", download_period_months=5, time_zone="UTC")
    registered = FacilityRegistered(
        code="996", name="996-Hospital", domain="h996.example", internal_networks=("10.9.0.0/16",)
    )
    admin_id = new_id()
    disabled = AdminDisabled(account="996-admin01@h996.example")
    created = AdminCreated(
        facility_id=facility_id, account=disabled.account, name="admin01", email="a@x.example"
    )
    for event, aggregate, version in (
        (newer, facility_id, 3),
        (older, facility_id, 2),
        (registered, facility_id, 1),
        (disabled, admin_id, 2),
        (created, admin_id, 1),
    ):
        envelope = envelop(
            event, facility="996", aggregate_id=aggregate, version=version, actor=IDENTITY
        )
        await publish(fs.nc, world.settings, envelope)
        projection = "fileshare_admins" if aggregate == admin_id else "fileshare_facilities"
        await world.applied(projection, envelope.event_id)
    row = await fs.db.fetchrow(
        """SELECT internal_networks::text[] AS networks, download_period_months, time_zone,
                  notification_addresses FROM facility_policies WHERE code = '996'"""
    )
    assert row is not None
    assert dict(row) == {
        "networks": ["10.9.0.0/16"],
        "download_period_months": 2,
        "time_zone": "UTC",
        "notification_addresses": ["new@x.example"],
    }
    admin = await fs.db.fetchrow("SELECT email, enabled FROM facility_admins")
    assert admin is not None and dict(admin) == {"email": "a@x.example", "enabled": False}
