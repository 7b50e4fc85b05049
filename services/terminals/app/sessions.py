"""Ending sessions from outside the agent: an admin's 「強制切断」 (C4), a user's deletion
(U5), the heartbeat timeout (C3)."""

from datetime import datetime, timedelta

from libs.events.catalogue.users import UserDeleted
from libs.events.envelope import SYSTEM, Actor, Envelope, next_event
from libs.events.retry import retrying
from libs.events.store import ConcurrencyConflict
from services.terminals.app import metrics
from services.terminals.app.results import BULK_ATTEMPTS
from services.terminals.app.unit_of_work import UnitOfWork
from services.terminals.domain import session
from services.terminals.domain.errors import conflict, not_found
from services.terminals.domain.session import Session

SWEEP_BATCH = 200


async def force_close(
    facility: str,
    session_id: str,
    reason: str,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
) -> Envelope:
    """End a live session and order its agent to cut it (SPEC C4).

    A session already closed, also by a concurrent request of another admin, answers
    409 ``session_already_closed``: one close, never two.
    """
    try:
        async with uow:
            found = await uow.session(session_id, facility)
            if found is None:
                raise not_found("session_not_found")
            envelope = next_event(
                session.force_close(found, by=actor.id, reason=reason),
                facility=facility,
                aggregate_id=session_id,
                version=found.version,
                actor=actor,
                at=now,
            )
            await uow.append([envelope])
            await uow.commit()
    except ConcurrencyConflict as error:
        # Sessions change version only when they close (and then on acknowledgement).
        raise conflict("session_already_closed") from error
    metrics.SESSIONS_ENDED.labels("force_closed").inc()
    return envelope


async def end_user_sessions(
    facility: str, account: str, cause: Envelope, uow: UnitOfWork, now: datetime
) -> int:
    """End every live session of a deleted user and order their agents to cut them (U5).

    Run after the projection has seen the deletion, so no new session can start; running
    it again finds nothing to do.
    """

    async def attempt() -> int:
        async with uow:
            # The lock session starts take: none commits between this read and the end.
            await uow.lock(f"account:{facility}:{account.lower()}")
            live = await uow.live_sessions(facility=facility, account=account)
            if not live:
                return 0
            await uow.append(
                [
                    next_event(
                        session.end(one, "user_deleted"),
                        facility=facility,
                        aggregate_id=one.session_id,
                        version=one.version,
                        actor=SYSTEM,
                        at=now,
                        cause=cause,
                    )
                    for one in live
                ]
            )
            await uow.commit()
        metrics.SESSIONS_ENDED.labels("user_deleted").inc(len(live))
        return len(live)

    return await retrying(attempt, attempts=BULK_ATTEMPTS)


async def end_deleted_user_sessions(deleted: Envelope, uow: UnitOfWork, now: datetime) -> int:
    """terminals' reaction to identity's ``UserDeleted``: end the user's live sessions."""
    data = deleted.data
    assert isinstance(data, UserDeleted)
    return await end_user_sessions(deleted.facility, data.account, deleted, uow, now)


async def time_out_silent_sessions(uow: UnitOfWork, now: datetime, timeout: timedelta) -> int:
    """Mark タイムアウト every live session its agent has not reported for ``timeout``
    (SPEC C3); return how many. Replicas sweeping at once take turns."""
    total = 0
    while True:

        async def attempt() -> list[Session]:
            async with uow:
                if not await uow.try_lock("sweeper"):
                    return []
                silent = await uow.live_sessions(silent_since=now - timeout, limit=SWEEP_BATCH)
                if silent:
                    await uow.append(
                        [
                            next_event(
                                session.time_out(one),
                                facility=one.facility,
                                aggregate_id=one.session_id,
                                version=one.version,
                                actor=SYSTEM,
                                at=now,
                            )
                            for one in silent
                        ]
                    )
                    await uow.commit()
            return silent

        batch = await retrying(attempt, attempts=BULK_ATTEMPTS)
        total += len(batch)
        metrics.SESSIONS_ENDED.labels("timed_out").inc(len(batch))
        if len(batch) < SWEEP_BATCH:
            return total
