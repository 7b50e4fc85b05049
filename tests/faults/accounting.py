"""Exact accounting after a fault (decision 0040): what the owners committed against what
every projection, the audit log, the mail and the clients hold.

- Every event in an owner's ``events`` table (the outbox) whose type a projection reads is
  in that projection's inbox exactly once, and the inbox holds nothing else: compared by
  event id, set against set (the inbox's key makes "twice" impossible to record, so a
  double would show as a row the owner never wrote).
- 端末接続履歴 (audit) has one row per refused decision and per started session, by id:
  audit rows = decisions made.
- No message in the dead-letter stream; every durable has nothing pending or unacknowledged.
- Mail: every Message-ID fileshare recorded as sent reached the mail catcher (lost), and
  none came more than once (doubled).
- What a client was told succeeded (a decision, a session, a user, a share) is in the
  owner's tables.
"""

import asyncio
import importlib
import time
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
from nats.aio.client import Client as NATS

from libs.devservers.local_cluster import LocalCluster
from libs.devservers.suite import SERVICES
from libs.events.codec import decode
from libs.events.consumer import durable_name
from libs.events.projection import Projection, contexts_of
from libs.events.settings import EventSettings
from libs.events.streams import SLOW_ANSWERS
from services.fileshare.adapters.mail_notifications import MailNotifications
from tests.faults.load import Ledger


def readers() -> list[tuple[str, Projection]]:
    """Every projection by the service that keeps it, fileshare's mail among them."""
    found: list[tuple[str, Projection]] = []
    for service in SERVICES:
        module = importlib.import_module(f"services.{service}.consumers")
        found += [(service, projection) for projection in module.PROJECTIONS]
    found.append(("fileshare", MailNotifications.__new__(MailNotifications)))
    return found


def tags(projection: Projection) -> set[str]:
    return {event.__struct_config__.tag for event in projection.events}  # type: ignore[attr-defined, misc]


@dataclass
class Accounting:
    events: int = 0
    missing: Counter[str] = field(default_factory=Counter)
    """By projection: events committed by an owner, not (yet) in its inbox."""
    extra: Counter[str] = field(default_factory=Counter)
    """By projection: inbox ids no owner committed."""
    audit_rows: int = 0
    decisions: int = 0
    """Refused decisions and started sessions: what 端末接続履歴 must hold, one row each."""
    audit_unexpected: int = 0
    dead_letters: int = 0
    pending: Counter[str] = field(default_factory=Counter)
    mail_sent: int = 0
    mail_lost: int = 0
    mail_doubled: int = 0
    acknowledged_missing: Counter[str] = field(default_factory=Counter)

    @property
    def caught_up(self) -> bool:
        return not (+self.missing or +self.pending or self.audit_rows != self.decisions)

    @property
    def lost(self) -> int:
        return sum(self.missing.values()) + sum(self.acknowledged_missing.values()) + self.mail_lost

    @property
    def doubled(self) -> int:
        return sum(self.extra.values()) + self.audit_unexpected + self.mail_doubled

    def exact(self) -> bool:
        return self.caught_up and not self.lost and not self.doubled and not self.dead_letters


async def _events(cluster: LocalCluster) -> dict[str, tuple[str, bytes]]:
    """Every owner's committed events: id → (type, payload)."""
    assert cluster.suite is not None
    found: dict[str, tuple[str, bytes]] = {}
    for service in SERVICES:
        conn = await asyncpg.connect(cluster.suite.database_url(service))
        try:
            if await conn.fetchval("SELECT to_regclass('events') IS NOT NULL"):
                rows = await conn.fetch("SELECT event_id::text, type, payload FROM events")
                found.update({r["event_id"]: (r["type"], r["payload"]) for r in rows})
        finally:
            await conn.close()
    return found


async def _fetch(cluster: LocalCluster, service: str, sql: str, *args: object) -> list[str]:
    assert cluster.suite is not None
    conn = await asyncpg.connect(cluster.suite.database_url(service))
    try:
        return [row[0] for row in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


def _expected_audit_rows(events: dict[str, tuple[str, bytes]]) -> set[str]:
    rows = set()
    for kind, payload in events.values():
        if kind == "SessionStarted.v1":
            rows.add(decode(payload).aggregate_id)
        elif kind == "ConnectionDecided.v1":
            envelope = decode(payload)
            if not envelope.data.allowed:  # type: ignore[attr-defined]
                rows.add(envelope.aggregate_id)
    return rows


async def _projections(
    cluster: LocalCluster, events: dict[str, tuple[str, bytes]], into: Accounting
) -> None:
    for service, projection in readers():
        wanted = tags(projection)
        expected = {i for i, (kind, _) in events.items() if kind in wanted}
        inbox = set(
            await _fetch(
                cluster,
                service,
                "SELECT event_id::text FROM inbox WHERE projection = $1",
                projection.name,
            )
        )
        into.missing[projection.name] = len(expected - inbox)
        into.extra[projection.name] = len(inbox - expected)


async def _streams(nc: NATS, into: Accounting) -> None:
    js = nc.jetstream()
    settings = EventSettings()
    into.dead_letters = (await js.stream_info(settings.deadletter_stream)).state.messages
    for _, projection in readers():
        for context in contexts_of(projection):
            durable = durable_name(projection, context)
            info = await js.consumer_info(settings.stream_name(context), durable)
            into.pending[durable] = info.num_pending + info.num_ack_pending


async def _mail(cluster: LocalCluster, into: Accounting) -> None:
    assert cluster.fileshare is not None and cluster.fileshare.mail is not None
    sent = {
        mid.strip("<>")
        for mid in await _fetch(cluster, "fileshare", "SELECT message_id FROM sent_mail")
    }
    received = Counter(
        str(mail.message["Message-ID"]).strip("<>") for mail in cluster.fileshare.mail.received
    )
    into.mail_sent = len(sent)
    into.mail_lost = len(sent - set(received))
    into.mail_doubled = sum(n - 1 for n in received.values() if n > 1)


async def account(cluster: LocalCluster, nc: NATS, ledger: Ledger) -> Accounting:
    """One look at everything, now."""
    result = Accounting()
    events = await _events(cluster)
    result.events = len(events)
    await _projections(cluster, events, result)
    expected = _expected_audit_rows(events)
    rows = set(await _fetch(cluster, "audit", "SELECT row_id FROM connection_log"))
    result.decisions, result.audit_rows = len(expected), len(rows & expected)
    result.audit_unexpected = len(rows - expected)
    await _streams(nc, result)
    await _mail(cluster, result)
    aggregates = {decode(payload).aggregate_id for _, payload in events.values()}
    for kind, ids in (
        ("decisions", ledger.decisions),
        ("sessions", ledger.sessions),
        ("users", ledger.users),
        ("shares", ledger.shares),
    ):
        result.acknowledged_missing[kind] = len(ids - aggregates)
    return result


async def settle(
    cluster: LocalCluster, nc: NATS, ledger: Ledger, timeout: float = 60.0
) -> tuple[Accounting, float]:
    """Account again and again until everything has caught up (or ``timeout``): the last
    accounting and how long catching up took."""
    started = time.monotonic()
    while True:
        try:
            result = await account(cluster, nc, ledger)
        except SLOW_ANSWERS:
            # JetStream electing leaders again after the fault: not caught up yet.
            if time.monotonic() - started > timeout:
                raise
            await asyncio.sleep(1.0)
            continue
        elapsed = time.monotonic() - started
        if result.caught_up or elapsed > timeout:
            return result, elapsed
        await asyncio.sleep(1.0)
