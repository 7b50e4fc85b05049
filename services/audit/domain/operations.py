"""操作ログ (SPEC A1 beyond): which events are operations, and how each reads in Japanese.

A description names things as they were named when the event happened: the event's own
names, and a terminal's name from audit's directory as of the event's time.
"""

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
from services.audit import messages as m

OPERATION_EVENTS: tuple[type[Event], ...] = (
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
"""Every event 操作ログ reads: what an admin or an operator may do, and ``TOLD``."""

ACTING_ROLES = ("admin", "operator")
"""Whose events are operations; users' own and the system's reactions are not, except the
ones the facility's admins must be told of (``TOLD``)."""
TOLD: tuple[type[Event], ...] = (AccountLocked,)
"""The system's acts an admin must see in 操作ログ: an account locked (L4, decision 0031)."""


def terminal_of(data: Event) -> str | None:
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
