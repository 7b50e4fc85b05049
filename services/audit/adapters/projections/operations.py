"""操作ログ (SPEC A1 beyond): every change an admin or an operator made, in every context
(and what admins did with users' files: uploads to them, decisions, downloads).

Who, from where and when come from the envelope's actor and time; what is a Japanese
description written from the event when it is applied, naming things as they were named
then (a terminal's name from the directory, as of the event's time).
"""

from collections.abc import Sequence

import msgspec

from libs.events.catalogue import Event
from libs.events.catalogue.credentials import (
    AdminMfaEnrolled,
    AdminMfaReset,
    AdminPasswordChanged,
    AdminPasswordRecovered,
    AdminPasswordReset,
    AdminSecondPasswordReset,
    FacilityPasswordExpirySet,
)
from libs.events.catalogue.fileshare import (
    ShareApproved,
    ShareDenied,
    ShareDownloaded,
    ShareUploaded,
)
from libs.events.catalogue.identity import (
    AdminCreated,
    AdminDisabled,
    AdminEnabled,
    FacilityRegistered,
    FacilitySettingsChanged,
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
)
from libs.events.catalogue.signin import AccountLocked
from libs.events.catalogue.terminals import (
    AgentCredentialIssued,
    AgentCredentialRevoked,
    SessionForceClosed,
    TerminalCreated,
    TerminalDeleted,
    TerminalRenamed,
)
from libs.events.catalogue.users import (
    TerminalAssigned,
    TerminalUnassigned,
    UserCreated,
    UserDeleted,
    UserMfaReset,
    UserPasswordReset,
    UserSecondPasswordReset,
    UserUpdated,
)
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from services.audit import messages as m
from services.audit.adapters.projections.directory import terminal_name_at
from services.audit.domain.logs import OPERATIONS

ACTING_ROLES = ("admin", "operator")
"""Whose events are operations; users' own and the system's reactions are not, except the
ones the facility's admins must be told of (``TOLD``)."""
TOLD: tuple[type[Event], ...] = (AccountLocked,)
"""The system's acts an admin must see in 操作ログ: an account locked (L4, decision 0031)."""

_INSERT = """
INSERT INTO operations_log (event_id, facility, occurred_at, actor_id, actor_role, actor_ip,
                            action, target_type, target_id, detail, description, target)
SELECT e.event_id, e.facility, e.occurred_at, e.actor_id, e.actor_role, e.actor_ip, e.action,
       e.target_type, e.target_id, e.detail::jsonb, e.description, e.target
FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
     AS e(event_id, facility, occurred_at, actor_id, actor_role, actor_ip, action, target_type,
          target_id, detail, description, target)
ON CONFLICT (event_id) DO NOTHING
"""

_TERMINAL_NAMES = f"""
SELECT {terminal_name_at("x.terminal_id", "x.at")} AS name
FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS x(terminal_id, at, n)
ORDER BY x.n
"""


def _terminal_of(data: Event) -> str | None:
    """The terminal an event names only by id, whose name the directory knows."""
    if isinstance(
        data,
        TerminalAssigned | TerminalUnassigned | AgentCredentialRevoked | SessionForceClosed,
    ):
        return data.terminal_id
    return None


def _setting_text(value: object) -> str:
    if isinstance(value, tuple):
        return m.LIST_SEPARATOR.join(value) if value else m.NONE_SET
    return str(value)


def setting_changes(data: FacilitySettingsChanged) -> str:
    """``タイムゾーン: Asia/Tokyo → America/Los_Angeles、…``: each setting that changed,
    from what to what (the event carries both)."""
    previous = data.previous
    parts = []
    for field, label in m.FACILITY_SETTINGS.items():
        after = getattr(data, field)
        if after is None:
            continue
        before = getattr(previous, field) if previous is not None else None
        if field == "download_period_months":
            after = m.MONTHS.format(months=after)
            before = None if before is None else m.MONTHS.format(months=before)
        if before is None:
            parts.append(m.SETTING_SET.format(label=label, after=_setting_text(after)))
        else:
            parts.append(
                m.SETTING_CHANGE.format(
                    label=label, before=_setting_text(before), after=_setting_text(after)
                )
            )
    return m.LIST_SEPARATOR.join(parts)


def describe(data: Event, terminal: str | None) -> tuple[str, str]:
    """操作内容 and 対象 of one event; ``terminal`` is the name of the terminal it names."""
    template = m.OPERATIONS[type(data).__name__]
    terminal = terminal or m.UNKNOWN_NAME
    if isinstance(data, FacilityRegistered):
        return template.format(name=data.name), data.name
    if isinstance(data, FacilitySettingsChanged):
        return template.format(changes=setting_changes(data)), ""
    if isinstance(data, FacilityPasswordExpirySet):
        days = m.NO_EXPIRY if data.max_age_days is None else m.DAYS.format(days=data.max_age_days)
        return template.format(days=days), ""
    if isinstance(data, FederationTargetAdded | FederationTargetRetired):
        return template.format(name=data.name), data.name
    if isinstance(data, FederationTargetRenamed):
        return template.format(name=data.name, previous=data.previous_name), data.name
    if isinstance(data, UserUpdated):
        fields = "、".join(m.USER_FIELDS.get(field, field) for field in data.changed)
        return template.format(account=data.account, fields=fields), data.account
    if isinstance(data, TerminalAssigned | TerminalUnassigned):
        return template.format(account=data.account, terminal=terminal), data.account
    if isinstance(data, TerminalRenamed):
        return template.format(name=data.name, previous=data.previous_name), data.name
    if isinstance(data, TerminalCreated | TerminalDeleted):
        return template.format(name=data.name), data.name
    if isinstance(data, AgentCredentialIssued):
        return template.format(terminal=data.terminal_name), data.terminal_name
    if isinstance(data, AgentCredentialRevoked):
        return template.format(terminal=terminal), terminal
    if isinstance(data, SessionForceClosed):
        text = template.format(account=data.account, terminal=terminal, reason=data.reason)
        return text, data.account
    if isinstance(data, ShareUploaded):
        first = data.files[0].name if data.files else ""
        more = m.OTHER_FILES.format(count=len(data.files) - 1) if len(data.files) > 1 else ""
        return template.format(account=data.owner_account, file=first + more), data.owner_account
    if isinstance(data, ShareDownloaded):
        return template.format(account=data.owner_account, file=data.name), data.owner_account
    if isinstance(data, ShareApproved | ShareDenied):
        return template.format(account=data.owner_account), data.owner_account
    if isinstance(data, AccountLocked):
        template = m.ACCOUNT_LOCKED[data.scope]
        text = template.format(
            account=data.account, failures=data.failures, minutes=data.lock_minutes
        )
        return text, data.account
    account = getattr(data, "account", "")
    return template.format(account=account), account


class OperationsLog:
    """操作ログ: rows keep what the event said at the time; later renames do not rewrite them."""

    name = OPERATIONS.projection
    events: Sequence[type[Event]] = (
        FacilityRegistered,
        FacilitySettingsChanged,
        FacilityPasswordExpirySet,
        FederationTargetAdded,
        FederationTargetRenamed,
        FederationTargetRetired,
        AdminCreated,
        AdminDisabled,
        AdminEnabled,
        AdminPasswordChanged,
        AdminPasswordRecovered,
        AdminMfaEnrolled,
        AdminPasswordReset,
        AdminMfaReset,
        AdminSecondPasswordReset,
        UserCreated,
        UserUpdated,
        UserDeleted,
        TerminalAssigned,
        TerminalUnassigned,
        UserPasswordReset,
        UserMfaReset,
        UserSecondPasswordReset,
        TerminalCreated,
        TerminalRenamed,
        TerminalDeleted,
        AgentCredentialIssued,
        AgentCredentialRevoked,
        SessionForceClosed,
        ShareUploaded,
        ShareApproved,
        ShareDenied,
        ShareDownloaded,
        AccountLocked,
    )
    tables: Sequence[str] = ("operations_log",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        await self.apply_many(conn, [envelope])

    async def apply_many(self, conn: Connection, envelopes: Sequence[Envelope]) -> None:
        acting = [
            env
            for env in envelopes
            if env.actor.role in ACTING_ROLES or isinstance(env.event, TOLD)
        ]
        if not acting:
            return
        named = [(env, _terminal_of(env.event)) for env in acting]
        lookups = [(tid, env.occurred_at) for env, tid in named if tid is not None]
        names: list[str | None] = []
        if lookups:
            records = await conn.fetch(
                _TERMINAL_NAMES, [tid for tid, _ in lookups], [at for _, at in lookups]
            )
            names = [record["name"] for record in records]
        found = iter(names)
        rows = []
        for env, terminal_id in named:
            terminal = next(found) if terminal_id is not None else None
            description, target = describe(env.event, terminal)
            rows.append(
                (
                    env.event_id,
                    env.facility,
                    env.occurred_at,
                    env.actor.id,
                    env.actor.role,
                    env.actor.ip,
                    env.name,
                    env.aggregate_type,
                    env.aggregate_id,
                    msgspec.json.encode(env.data).decode(),
                    description,
                    target,
                )
            )
        await conn.execute(_INSERT, *[list(column) for column in zip(*rows, strict=True)])
