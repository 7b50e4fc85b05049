"""What jump-host agents ask and report (SPEC C1–C4): decisions, session start and end,
acknowledgements of close orders."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from libs.events.catalogue.terminals import ConnectionDecided, SessionStarted
from libs.events.envelope import Envelope, next_event
from libs.events.ids import new_id
from libs.events.store import ConcurrencyConflict
from services.terminals.app import metrics
from services.terminals.app.unit_of_work import DecisionAlreadyUsed, UnitOfWork
from services.terminals.domain import session
from services.terminals.domain.credentials import Agent
from services.terminals.domain.decision import Facts, Verdict, decide, normalize_mac
from services.terminals.domain.errors import TerminalGone, conflict, not_found
from services.terminals.domain.session import Session

ACCOUNT_MAX = 254
MAC_MAX = 64

ReadFacts = Callable[[str, str, str], Awaitable[Facts]]
"""``(facility, account, terminal_id)`` → what the projection knows."""
Record = Callable[[Envelope], Awaitable[None]]
"""Commits one decision's event (with others, see ``adapters/decision_log.py``)."""


@dataclass(frozen=True)
class Decision:
    decision_id: str
    verdict: Verdict


async def authorize(
    agent: Agent,
    account: str,
    mac: str,
    *,
    read_facts: ReadFacts,
    record: Record,
    now: datetime,
    ip: str | None,
) -> Decision:
    """Decide whether ``account`` may connect from ``mac`` through the agent's terminal
    now, and record the attempt, whatever the answer (SPEC C1)."""
    account = account.strip()[:ACCOUNT_MAX]
    normalized = normalize_mac(mac)
    facts = await read_facts(agent.facility, account, agent.terminal_id)
    verdict = decide(
        terminal=agent.terminal_id if facts.terminal_known else None,
        account=facts.account,
        mac=normalized,
        at=now,
        zone=facts.zone,
    )
    decision_id = new_id()
    await record(
        next_event(
            ConnectionDecided(
                account=account,
                mac=normalized or mac.strip()[:MAC_MAX],
                terminal_id=agent.terminal_id,
                terminal_name=agent.terminal_name,
                allowed=verdict.allowed,
                reason=verdict.reason,
            ),
            facility=agent.facility,
            aggregate_id=decision_id,
            version=0,
            actor=agent.actor(ip),
            at=now,
        )
    )
    metrics.DECISIONS.labels(verdict.reason or "allowed").inc()
    return Decision(decision_id, verdict)


async def start_session(
    agent: Agent,
    decision_id: str,
    uow: UnitOfWork,
    *,
    now: datetime,
    grant_ttl: timedelta,
    ip: str | None,
) -> Session:
    """Start the session of an allowed decision (SPEC C3). Reporting the same start twice
    returns the same session."""
    try:
        async with uow:
            existing = await uow.session_of_decision(decision_id)
            if existing is not None:
                return _own(agent, existing)
            grant = await uow.grant(decision_id, agent.terminal_id)
            if grant is None:
                raise not_found("decision_not_found")
            if now - grant.decided_at > grant_ttl:
                raise conflict("decision_expired")
            # The same locks as a user's or terminal's deletion: a start either commits
            # before the deletion reads the live sessions, or sees the deletion.
            await uow.lock(f"account:{grant.facility}:{grant.account.lower()}")
            await uow.lock(f"terminal:{agent.terminal_id}")
            found = await uow.terminal(agent.facility, agent.terminal_id)
            if found is None or found.deleted:
                raise TerminalGone()
            if not await uow.user_active(grant.facility, grant.account):
                raise conflict("decision_revoked")
            session_id = new_id()
            await uow.append(
                [
                    next_event(
                        SessionStarted(
                            account=grant.account,
                            mac=grant.mac,
                            terminal_id=agent.terminal_id,
                            terminal_name=found.name,
                            decision_id=decision_id,
                        ),
                        facility=agent.facility,
                        aggregate_id=session_id,
                        version=0,
                        actor=agent.actor(ip),
                        at=now,
                    )
                ]
            )
            await uow.commit()
    except DecisionAlreadyUsed:
        async with uow:
            existing = await uow.session_of_decision(decision_id)
        assert existing is not None
        return _own(agent, existing)
    metrics.SESSIONS_STARTED.inc()
    return Session(
        session_id=session_id,
        facility=agent.facility,
        terminal_id=agent.terminal_id,
        account=grant.account,
        state="live",
        version=1,
        last_seen_at=now,
    )


def _own(agent: Agent, found: Session) -> Session:
    if found.terminal_id != agent.terminal_id:
        raise not_found("decision_not_found")
    return found


async def end_session(
    agent: Agent, session_id: str, uow: UnitOfWork, *, now: datetime, ip: str | None
) -> Session:
    """The agent's 「切断」. A session that has already ended stays as it ended."""
    try:
        async with uow:
            found = await uow.session(session_id, agent.facility)
            if found is None or found.terminal_id != agent.terminal_id:
                raise not_found("session_not_found")
            if not found.live:
                return found
            await uow.append(
                [
                    next_event(
                        session.end(found, "agent"),
                        facility=agent.facility,
                        aggregate_id=session_id,
                        version=found.version,
                        actor=agent.actor(ip),
                        at=now,
                    )
                ]
            )
            await uow.commit()
    except ConcurrencyConflict:
        # An admin or a deletion ended it first: that ending stands.
        async with uow:
            again = await uow.session(session_id, agent.facility)
        assert again is not None
        return again
    metrics.SESSIONS_ENDED.labels("agent").inc()
    return Session(
        session_id=session_id,
        facility=found.facility,
        terminal_id=found.terminal_id,
        account=found.account,
        state="ended",
        version=found.version + 1,
        last_seen_at=found.last_seen_at,
    )


async def acknowledge_order(
    agent: Agent, seq: int, uow: UnitOfWork, *, now: datetime, ip: str | None
) -> bool:
    """Record that the agent carried out order ``seq`` (SPEC C4). True the first time;
    acknowledging again changes nothing."""
    try:
        async with uow:
            order = await uow.order(agent.terminal_id, seq)
            if order is None:
                raise not_found("order_not_found")
            if order.acknowledged:
                return False
            await uow.append(
                [
                    next_event(
                        session.acknowledge(agent.terminal_id, seq),
                        facility=agent.facility,
                        aggregate_id=order.session_id,
                        version=order.session_version,
                        actor=agent.actor(ip),
                        at=now,
                    )
                ]
            )
            await uow.commit()
    except ConcurrencyConflict:
        return False  # the same acknowledgement, sent twice at once: the other one counted
    metrics.CLOSE_ACK_SECONDS.observe(max(0.0, (now - order.ordered_at).total_seconds()))
    return True
