"""The versioned event catalogue: one frozen msgspec Struct per event type.

A type never changes meaning. A new field gets a default; anything else is a new
version (``UserCreated.v2``) plus an upcaster in ``libs.events.codec``.
"""

from typing import TypeAlias

from libs.events.catalogue.base import Event, event_name
from libs.events.catalogue.credentials import (
    CREDENTIAL_EVENTS,
    AdminMfaEnrolled,
    AdminMfaReset,
    AdminPasswordChanged,
    AdminPasswordRecovered,
    AdminPasswordReset,
    AdminSecondPasswordReset,
    FacilityPasswordExpirySet,
    UserMfaEnrolled,
    UserPasswordChanged,
    UserPasswordRecovered,
)
from libs.events.catalogue.fileshare import (
    FILESHARE_EVENTS,
    FileScanned,
    ShareApproved,
    ShareAvailable,
    ShareAwaitingApproval,
    ShareBlocked,
    ShareDenied,
    ShareDownloaded,
    ShareExpired,
    ShareUploaded,
)
from libs.events.catalogue.identity import (
    IDENTITY_EVENTS,
    AdminCreated,
    AdminDisabled,
    AdminEnabled,
    FacilityRegistered,
    FacilitySettingsChanged,
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
)
from libs.events.catalogue.probe import PROBE_EVENTS, ProbeRecorded
from libs.events.catalogue.signin import (
    SIGNIN_EVENTS,
    AccountLocked,
    PasswordRecoveryAttempted,
    SignInAttempted,
)
from libs.events.catalogue.terminals import (
    TERMINAL_EVENTS,
    AgentCredentialIssued,
    AgentCredentialRevoked,
    ConnectionDecided,
    SessionCloseAcknowledged,
    SessionEnded,
    SessionForceClosed,
    SessionStarted,
    SessionTimedOut,
    TerminalCreated,
    TerminalDeleted,
    TerminalRenamed,
)
from libs.events.catalogue.users import (
    USER_EVENTS,
    TerminalAssigned,
    TerminalUnassigned,
    UserCreated,
    UserDeleted,
    UserMfaReset,
    UserPasswordReset,
    UserSecondPasswordReset,
    UserUpdated,
)

ALL_EVENTS: tuple[type[Event], ...] = (
    *IDENTITY_EVENTS,
    *USER_EVENTS,
    *CREDENTIAL_EVENTS,
    *SIGNIN_EVENTS,
    *TERMINAL_EVENTS,
    *PROBE_EVENTS,
    *FILESHARE_EVENTS,
)
"""Every event type the suite knows, in catalogue order."""

AnyEvent: TypeAlias = (
    FacilityRegistered
    | FacilitySettingsChanged
    | FederationTargetAdded
    | FederationTargetRenamed
    | FederationTargetRetired
    | AdminCreated
    | AdminDisabled
    | AdminEnabled
    | UserCreated
    | UserUpdated
    | UserDeleted
    | TerminalAssigned
    | TerminalUnassigned
    | UserPasswordReset
    | UserMfaReset
    | UserSecondPasswordReset
    | AdminPasswordChanged
    | AdminMfaEnrolled
    | AdminPasswordReset
    | AdminMfaReset
    | UserPasswordChanged
    | UserMfaEnrolled
    | FacilityPasswordExpirySet
    | AdminSecondPasswordReset
    | AdminPasswordRecovered
    | UserPasswordRecovered
    | SignInAttempted
    | PasswordRecoveryAttempted
    | AccountLocked
    | TerminalCreated
    | TerminalRenamed
    | TerminalDeleted
    | AgentCredentialIssued
    | AgentCredentialRevoked
    | ConnectionDecided
    | SessionStarted
    | SessionEnded
    | SessionForceClosed
    | SessionTimedOut
    | SessionCloseAcknowledged
    | ProbeRecorded
    | ShareUploaded
    | FileScanned
    | ShareAvailable
    | ShareAwaitingApproval
    | ShareBlocked
    | ShareApproved
    | ShareDenied
    | ShareDownloaded
    | ShareExpired
)
"""Every event type, spelled out so type checkers see it; a test holds it equal to ALL_EVENTS."""

EVENTS_BY_TAG: dict[str, type[Event]] = {cls.__struct_config__.tag: cls for cls in ALL_EVENTS}  # type: ignore[misc]

CONTEXTS: tuple[str, ...] = tuple(sorted({cls.context for cls in ALL_EVENTS}))
"""Bounded contexts that publish events; one JetStream stream each."""

__all__ = ["ALL_EVENTS", "CONTEXTS", "EVENTS_BY_TAG", "AnyEvent", "Event", "event_name"]
