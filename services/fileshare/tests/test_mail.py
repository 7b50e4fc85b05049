"""Notification mails (SPEC F6) through a real SMTP server (aiosmtpd)."""

import asyncio
from email.message import EmailMessage

import asyncpg
from nats.js.api import ConsumerConfig

from libs.devservers.ports import free_port
from libs.devservers.smtp import MailCatcher
from libs.events.consumer import consumer_config, durable_name
from libs.events.store import read_stream
from services.fileshare.adapters.mail_notifications import MailNotifications
from services.fileshare.tests.conftest import Fileshare, StartFileshare
from services.fileshare.tests.world import (
    ADMIN_MAIL,
    as_admin,
    as_user,
    counted,
    eventually,
    mails,
    simple_upload,
)

MINE = "/internal/v1/users/me/shares"
STAFF = "/internal/v1/facilities/998/shares"


async def share_of(fs: Fileshare, account: str) -> str:
    headers, body = simple_upload("AMO-XXXXに関する調査", [("電子カルテログ.txt", b"log")])
    response = await fs.http.post(MINE, headers={**headers, **as_user(account)}, content=body)
    assert response.status_code == 201, response.text
    return str(response.json()["share_id"])


async def event_id(db: asyncpg.Pool, share_id: str, name: str) -> str:
    return str(
        await db.fetchval(
            "SELECT event_id::text FROM events WHERE aggregate_id = $1 AND type = $2",
            share_id,
            f"{name}.v1",
        )
    )


async def test_f6_a_users_share_mails_the_admins_and_the_decision_mails_the_user(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("approval", email="vendor-user@vendor.example")
    share_id = await share_of(fs, account)
    [to_admins] = await mails(fs.mail, 1)
    message = to_admins.message
    assert to_admins.rcpt_tos == (ADMIN_MAIL,)
    assert message["Subject"] == f"【ファイル共有】承認依頼: {account}"
    waiting = await event_id(fs.db, share_id, "ShareAwaitingApproval")
    assert message["Message-ID"] == f"<{waiting}@fileshare.fumidai>"
    body = message.get_content()
    assert "承認が必要です" in body and "電子カルテログ.txt" in body and "院外" in body

    assert (
        await fs.http.post(f"{STAFF}/{share_id}/approve", headers=as_admin())
    ).status_code == 200
    [_, to_user] = await mails(fs.mail, 2)
    assert to_user.rcpt_tos == ("vendor-user@vendor.example",)
    assert to_user.message["Subject"] == "【ファイル共有】承認されました"
    approved = await event_id(fs.db, share_id, "ShareApproved")
    assert to_user.message["Message-ID"] == f"<{approved}@fileshare.fumidai>"
    assert "管理者により承認されました" in to_user.message.get_content()


async def test_f6_mail_is_sent_once_even_when_the_consumer_is_redelivered(
    fileshare: Fileshare,
) -> None:
    fs = fileshare
    account = await fs.world.user("always")
    share_id = await share_of(fs, account)
    await mails(fs.mail, 1)

    async def recorded() -> bool:
        return bool(await fs.db.fetchval("SELECT count(*) FROM sent_mail") == 1)

    await eventually(recorded)
    # Make JetStream deliver every event again: drop the mail consumer's durable and create
    # it afresh (deliver all); the running consumer binds to it and gets them all anew.
    js = fs.nc.jetstream()
    mail = MailNotifications(fs.settings.own, sender=_Refuse())
    stream = fs.settings.events.stream_name("fileshare")
    durable = durable_name(mail, "fileshare")
    await js.delete_consumer(stream, durable)
    config: ConsumerConfig = consumer_config(mail, "fileshare", fs.settings.events)
    await js.add_consumer(stream, config)

    async def redelivered() -> bool:
        info = await js.consumer_info(stream, durable)
        done = info.delivered.stream_seq > 0 and info.num_pending == info.num_ack_pending == 0
        return bool(done)

    await eventually(redelivered)
    await asyncio.sleep(1.0)  # time for a second mail, were one (wrongly) on its way
    assert len(fs.mail.received) == 1

    # Even replayed past the inbox, the recorded Message-ID stops a second send.
    async with fs.db.acquire() as conn, conn.transaction():
        for envelope in await read_stream(conn, share_id):
            if envelope.name in ("ShareAvailable",):
                await mail.apply(conn, envelope)  # _Refuse fails the test if it sends
    assert len(fs.mail.received) == 1


class _Refuse:
    async def send(self, message: EmailMessage) -> None:
        raise AssertionError(f"sent again: {message['Message-ID']}")


async def test_f6_mail_waits_for_an_smtp_server_that_is_down(
    start_fileshare: StartFileshare,
) -> None:
    """Also issue 17's signal: each failed attempt counts in
    fumidai_fileshare_mails_failed_total, the one that goes through in ..._mails_sent_total."""
    port = free_port()
    fs = await start_fileshare(smtp_port=port)  # no SMTP server there yet
    failed_before = await counted(fs.http, "mails_failed")
    sent_before = await counted(fs.http, "mails_sent")
    account = await fs.world.user("approval")
    await share_of(fs, account)

    async def attempted() -> bool:
        return "ShareAwaitingApproval.v1" in await fs.events()

    async def failed() -> bool:
        return await counted(fs.http, "mails_failed") > failed_before

    await eventually(attempted)
    await eventually(failed)
    assert await counted(fs.http, "mails_sent") == sent_before
    assert await fs.db.fetchval("SELECT count(*) FROM sent_mail") == 0
    with MailCatcher(port) as late:
        [mail] = await mails(late, 1)
        assert mail.message["Subject"] == f"【ファイル共有】承認依頼: {account}"

        async def sent() -> bool:
            return await counted(fs.http, "mails_sent") == sent_before + 1

        await eventually(sent)
