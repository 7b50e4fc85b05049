"""Agent credentials: issued and revoked by admins, per terminal; the token is shown once."""

from dataclasses import dataclass
from datetime import datetime

from libs.events.catalogue.terminals import AgentCredentialIssued, AgentCredentialRevoked
from libs.events.envelope import Actor, next_event
from libs.events.ids import new_id
from services.terminals.app.results import Written
from services.terminals.app.unit_of_work import UnitOfWork
from services.terminals.domain.credentials import new_token, secret_hash
from services.terminals.domain.errors import not_found


@dataclass(frozen=True)
class Issued:
    credential_id: str
    terminal_name: str
    token: str
    """The bearer token: shown this once, kept nowhere."""
    last_event_id: str


async def issue_credential(
    facility: str, terminal_id: str, uow: UnitOfWork, actor: Actor, now: datetime
) -> Issued:
    """A new credential for the terminal's agent; older ones keep working until revoked."""
    credential_id = new_id()
    token = new_token(credential_id)
    async with uow:
        found = await uow.terminal(facility, terminal_id)
        if found is None or found.deleted:
            raise not_found("terminal_not_found")
        envelope = next_event(
            AgentCredentialIssued(terminal_id=terminal_id, terminal_name=found.name),
            facility=facility,
            aggregate_id=credential_id,
            version=0,
            actor=actor,
            at=now,
        )
        await uow.append([envelope], secret_hashes={credential_id: secret_hash(token.secret)})
        await uow.commit()
    return Issued(credential_id, found.name, str(token), envelope.event_id)


async def revoke_credential(
    facility: str,
    terminal_id: str,
    credential_id: str,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
) -> Written:
    """Stop a credential from working; revoking a revoked one changes nothing."""
    async with uow:
        if await uow.terminal(facility, terminal_id) is None:
            raise not_found("terminal_not_found")
        found = await uow.credential(facility, terminal_id, credential_id)
        if found is None:
            raise not_found("credential_not_found")
        if found.revoked:
            return Written(credential_id, found.version, None)
        envelope = next_event(
            AgentCredentialRevoked(terminal_id=terminal_id),
            facility=facility,
            aggregate_id=credential_id,
            version=found.version,
            actor=actor,
            at=now,
        )
        await uow.append([envelope])
        await uow.commit()
    return Written(credential_id, found.version + 1, envelope.event_id)
