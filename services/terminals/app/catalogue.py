"""The terminal catalogue (SPEC K1–K5): create, rename, delete."""

from datetime import datetime

from libs.events.catalogue.terminals import AgentCredentialRevoked
from libs.events.envelope import Actor, next_event
from libs.events.ids import new_id
from libs.events.retry import StaleVersion, retrying
from services.terminals.app import metrics
from services.terminals.app.results import BULK_ATTEMPTS, Written
from services.terminals.app.unit_of_work import UnitOfWork
from services.terminals.domain import session, terminal
from services.terminals.domain.errors import not_found, taken
from services.terminals.domain.terminal import Terminal


async def _live_terminal(uow: UnitOfWork, facility: str, terminal_id: str) -> Terminal:
    found = await uow.terminal(facility, terminal_id)
    if found is None or found.deleted:
        raise not_found("terminal_not_found")
    return found


def _check_version(found: Terminal, expected: int | None) -> None:
    if expected is not None and expected != found.version:
        raise StaleVersion(found.terminal_id, found.version)


async def create_terminal(
    facility: str, name_part: str, uow: UnitOfWork, actor: Actor, now: datetime
) -> Written:
    """Register terminal ``<facility>-<name_part>``; its event tells ops tooling (K5)."""
    created = terminal.create(facility, name_part)
    terminal_id = new_id()
    async with uow:
        if await uow.name_taken(facility, created.name):
            raise taken("name", "terminal_name_taken")
        envelope = next_event(
            created, facility=facility, aggregate_id=terminal_id, version=0, actor=actor, at=now
        )
        await uow.append([envelope])
        await uow.commit()
    return Written(terminal_id, 1, envelope.event_id)


async def rename_terminal(
    facility: str,
    terminal_id: str,
    name_part: str,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> Written:
    """Rename a terminal (K3); a stale ``expected_version`` is refused, never overwritten."""
    async with uow:
        found = await _live_terminal(uow, facility, terminal_id)
        _check_version(found, expected_version)
        renamed = terminal.rename(found, name_part)
        if renamed is None:
            return Written(terminal_id, found.version, None)
        if await uow.name_taken(facility, renamed.name, except_id=terminal_id):
            raise taken("name", "terminal_name_taken")
        envelope = next_event(
            renamed,
            facility=facility,
            aggregate_id=terminal_id,
            version=found.version,
            actor=actor,
            at=now,
        )
        await uow.append([envelope])
        await uow.commit()
    return Written(terminal_id, found.version + 1, envelope.event_id)


async def delete_terminal(
    facility: str,
    terminal_id: str,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> tuple[Written, int]:
    """Delete a terminal (K4): its live sessions end (reason terminal_deleted) and its
    agents' credentials stop working, in the same transaction. Returns how many
    sessions ended."""

    async def attempt() -> tuple[Written, int]:
        async with uow:
            # Serialises with session starts on this terminal: none can slip in after
            # the live sessions are read.
            await uow.lock(f"terminal:{terminal_id}")
            found = await _live_terminal(uow, facility, terminal_id)
            _check_version(found, expected_version)
            deleted = next_event(
                terminal.delete(found),
                facility=facility,
                aggregate_id=terminal_id,
                version=found.version,
                actor=actor,
                at=now,
            )
            live = await uow.live_sessions(terminal_id=terminal_id, limit=100_000)
            ended = [
                next_event(
                    session.end(one, "terminal_deleted"),
                    facility=facility,
                    aggregate_id=one.session_id,
                    version=one.version,
                    actor=actor,
                    at=now,
                    cause=deleted,
                )
                for one in live
            ]
            revoked = [
                next_event(
                    AgentCredentialRevoked(terminal_id=terminal_id, reason="terminal_deleted"),
                    facility=facility,
                    aggregate_id=credential.credential_id,
                    version=credential.version,
                    actor=actor,
                    at=now,
                    cause=deleted,
                )
                for credential in await uow.credentials_of(terminal_id)
                if not credential.revoked
            ]
            await uow.append([deleted, *ended, *revoked])
            await uow.commit()
        metrics.SESSIONS_ENDED.labels("terminal_deleted").inc(len(ended))
        return Written(terminal_id, found.version + 1, deleted.event_id), len(ended)

    return await retrying(attempt, attempts=BULK_ATTEMPTS)
