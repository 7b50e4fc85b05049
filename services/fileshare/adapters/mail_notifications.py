"""Notification mails (SPEC F6) as a consumer of fileshare's own events.

One mail per event, sent at least once: the consumer sends inside its transaction and
records the Message-ID (derived from the event id) in ``sent_mail`` with the event in the
inbox. A failed send rolls back and the message comes again (with backoff); a redelivery
after the commit finds the event in the inbox, and even a direct replay finds its
Message-ID in ``sent_mail`` — either way nothing is sent twice. Only a crash between the
SMTP server's acceptance and the commit sends a second copy, with the same Message-ID.

Where admin mails go: to the facility's notification addresses and its enabled admins' own
addresses, as fileshare's projections of identity's events (``consumers``) know them when
the mail is sent; each address once, all in one mail.

It is not one of the rebuildable projections (``consumers.PROJECTIONS``): rebuilding it
would mean mailing everyone again.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import structlog

from libs.events.catalogue import Event
from libs.events.catalogue.fileshare import (
    ShareApproved,
    ShareAvailable,
    ShareAwaitingApproval,
    ShareBlocked,
    ShareDenied,
)
from libs.events.envelope import Envelope
from libs.mail.smtp import Sender
from libs.postgres.connection import Connection
from services.fileshare.app import metrics
from services.fileshare.domain.notices import (
    Notice,
    ShareFacts,
    admin_share_to_user,
    compose,
    decision_to_user,
    message_id,
    share_to_admins,
)
from services.fileshare.domain.recipients import admin_recipients
from services.fileshare.settings import FileshareOwn

log = structlog.get_logger("fileshare.mail")


class MailNotifications:
    """Mails the facility's admins about users' shares and users about decisions."""

    name = "fileshare_mail"
    events: Sequence[type[Event]] = (
        ShareAvailable,
        ShareAwaitingApproval,
        ShareBlocked,
        ShareApproved,
        ShareDenied,
    )
    tables: Sequence[str] = ("sent_mail",)

    def __init__(self, own: FileshareOwn, sender: Sender) -> None:
        self._own = own
        self._sender = sender

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        facts = await _facts(conn, envelope.aggregate_id)
        if facts is None:
            log.warning("mail_share_unknown", share_id=envelope.aggregate_id)
            return
        planned = await self._plan(conn, envelope, facts)
        if planned is None:
            return
        notice, recipients = planned
        if not recipients:
            log.warning("mail_no_recipient", kind=notice.kind, facility=envelope.facility)
            return
        mid = message_id(envelope.event_id)
        if await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM sent_mail WHERE message_id = $1)", mid
        ):
            return
        message = compose(
            notice,
            event_id=envelope.event_id,
            sender=self._own.smtp.mail_from,
            recipients=recipients,
            at=envelope.occurred_at,
        )
        try:
            await self._sender.send(message)
        except Exception:
            # The consumer retries the event; the count shows an SMTP server refusing or away.
            metrics.MAILS_FAILED.labels(notice.kind).inc()
            raise
        await conn.execute(
            "INSERT INTO sent_mail (message_id, event_id, recipients) VALUES ($1, $2, $3)",
            mid,
            envelope.event_id,
            recipients,
        )
        metrics.MAILS_SENT.labels(notice.kind).inc()
        log.info("mail_sent", kind=notice.kind, message_id=mid, recipients=len(recipients))

    async def _plan(
        self, conn: Connection, envelope: Envelope, facts: ShareFacts
    ) -> tuple[Notice, list[str]] | None:
        data = envelope.data
        if isinstance(data, ShareApproved | ShareDenied):
            notice = decision_to_user(
                facts, approved=isinstance(data, ShareApproved), decided_at=envelope.occurred_at
            )
            return notice, await _owner_address(conn, envelope.aggregate_id)
        if facts.uploaded_by_role == "user":
            # What the admins need to know is how the upload settled (clean, waiting or not).
            settled = {
                ShareAvailable: "available",
                ShareAwaitingApproval: "awaiting_approval",
                ShareBlocked: "blocked",
            }[type(data)]
            notice = share_to_admins(_at_state(facts, settled))
            return notice, await _facility_addresses(conn, envelope.facility)
        if isinstance(data, ShareAvailable):
            notice = admin_share_to_user(facts)
            return notice, await _owner_address(conn, envelope.aggregate_id)
        return None


def _at_state(facts: ShareFacts, state: str) -> ShareFacts:
    # The row may already be further on (approved) when a late message is mailed.
    return replace(facts, state=state)


async def _facts(conn: Connection, share_id: str) -> ShareFacts | None:
    row = await conn.fetchrow(
        """SELECT s.owner_account, s.owner_name, s.uploaded_by, s.uploaded_by_role, s.direction,
                  s.purpose, s.scan, s.state, s.uploaded_at, s.expires_at,
                  coalesce(p.time_zone, 'Asia/Tokyo') AS time_zone,
                  array(SELECT f.name FROM share_files f WHERE f.share_id = s.share_id
                        ORDER BY f.position) AS names,
                  array(SELECT f.size FROM share_files f WHERE f.share_id = s.share_id
                        ORDER BY f.position) AS sizes
           FROM shares s LEFT JOIN facility_policies p ON p.code = s.facility
           WHERE s.share_id = $1""",
        share_id,
    )
    if row is None:
        return None
    uploaded_at: datetime = row["uploaded_at"]
    expires_at: datetime = row["expires_at"]
    return ShareFacts(
        owner_account=row["owner_account"],
        owner_name=row["owner_name"],
        uploaded_by=row["uploaded_by"],
        uploaded_by_role=row["uploaded_by_role"],
        direction=row["direction"],
        purpose=row["purpose"],
        files=tuple(zip(row["names"], row["sizes"], strict=True)),
        scan=row["scan"],
        state=row["state"],
        uploaded_at=uploaded_at,
        expires_at=expires_at,
        time_zone=row["time_zone"],
    )


async def _owner_address(conn: Connection, share_id: str) -> list[str]:
    """The address of the live user the share belongs to, by id: never a later user who
    happens to hold the same account name (issue 16, item 3)."""
    email = await conn.fetchval(
        """SELECT u.email FROM shares s JOIN share_users u ON u.user_id = s.owner_id
           WHERE s.share_id = $1 AND NOT u.deleted""",
        share_id,
    )
    return [email] if email else []


async def _facility_addresses(conn: Connection, facility: str) -> list[str]:
    """Where the facility's admins are mailed: its notification addresses and the addresses
    of its enabled admins (SPEC F6, T1)."""
    notification = await conn.fetchval(
        "SELECT notification_addresses FROM facility_policies WHERE code = $1", facility
    )
    admins = await conn.fetch(
        """SELECT email FROM facility_admins
           WHERE facility = $1 AND enabled AND email <> '' ORDER BY account""",
        facility,
    )
    return admin_recipients(notification or (), (row["email"] for row in admins))
