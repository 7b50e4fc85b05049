"""Events of the terminals context: jump hosts (SPEC K1–K5), their agents' credentials,
connection decisions (C1, C2) and remote sessions (C3, C4).

Connection decisions and sessions are written by the terminals service from what jump-host
agents report; identity's user events (``users.py``) are what the decisions are made from.
"""

from datetime import datetime
from typing import Literal

from libs.events.catalogue.base import Event

DecisionReason = Literal[
    "unknown_user",
    "admin_account",
    "not_yet_valid",
    "expired",
    "mac_not_registered",
    "terminal_not_assigned",
    "outside_hours",
    "terminal_unknown",
]
"""Why a connection was refused (SPEC C1)."""

SessionEndReason = Literal["agent", "user_deleted", "terminal_deleted"]
"""How a session ended other than by an admin or a timeout: the agent's 「切断」, or a
deletion of its user (U5) or terminal (K4)."""


class TerminalCreated(Event, frozen=True, kw_only=True, tag="TerminalCreated.v1"):
    """A terminal (接続端末) was registered (SPEC K2, K5: ops tooling acts on it).

    Aggregate id: the terminal's id.
    """

    context = "terminals"
    aggregate = "terminal"

    name: str
    """Full name ``<code>-<name part>``, e.g. ``998-踏み台端末02(Local)``."""


class TerminalRenamed(Event, frozen=True, kw_only=True, tag="TerminalRenamed.v1"):
    """A terminal got a new name (SPEC K3)."""

    context = "terminals"
    aggregate = "terminal"

    name: str
    previous_name: str


class TerminalDeleted(Event, frozen=True, kw_only=True, tag="TerminalDeleted.v1"):
    """A terminal was deleted (SPEC K4): assignments go, its live sessions end."""

    context = "terminals"
    aggregate = "terminal"

    name: str


class AgentCredentialIssued(Event, frozen=True, kw_only=True, tag="AgentCredentialIssued.v1"):
    """An admin issued a credential for a terminal's jump-host agent.

    Aggregate id: the credential's id. The secret was shown once; only its hash is kept,
    in the terminals service's own tables, never in an event.
    """

    context = "terminals"
    aggregate = "agent_credential"

    terminal_id: str
    terminal_name: str


class AgentCredentialRevoked(Event, frozen=True, kw_only=True, tag="AgentCredentialRevoked.v1"):
    """A terminal agent's credential stopped working: revoked by an admin, or its terminal
    was deleted."""

    context = "terminals"
    aggregate = "agent_credential"

    terminal_id: str
    reason: Literal["admin", "terminal_deleted"] = "admin"


class ConnectionDecided(Event, frozen=True, kw_only=True, tag="ConnectionDecided.v1"):
    """A jump-host agent asked whether a user may connect, and got this answer (SPEC C1).

    Every attempt is one event, allowed or not. Aggregate id: the decision's id, which the
    agent quotes when it reports the session's start.
    """

    context = "terminals"
    aggregate = "decision"

    account: str
    """The account as the agent sent it."""
    mac: str
    """The client's MAC as ``AA:BB:CC:DD:EE:FF``, or as sent when it is not a MAC."""
    terminal_id: str
    terminal_name: str
    allowed: bool
    reason: DecisionReason | None = None
    """Why it was refused; None when allowed."""


class SessionStarted(Event, frozen=True, kw_only=True, tag="SessionStarted.v1"):
    """A remote session began on an allowed decision: 「接続中」 (SPEC C3).

    Aggregate id: the session's id.
    """

    context = "terminals"
    aggregate = "session"

    account: str
    mac: str
    terminal_id: str
    terminal_name: str
    decision_id: str


class SessionEnded(Event, frozen=True, kw_only=True, tag="SessionEnded.v1"):
    """A session ended: the agent reported 「切断」, or its user or terminal was deleted."""

    context = "terminals"
    aggregate = "session"

    account: str
    terminal_id: str
    reason: SessionEndReason


class SessionForceClosed(Event, frozen=True, kw_only=True, tag="SessionForceClosed.v1"):
    """An admin ended a live session: 「強制切断」 (SPEC C4). The agent is ordered to cut it."""

    context = "terminals"
    aggregate = "session"

    account: str
    terminal_id: str
    closed_by: str
    """The admin's (or operator's) account."""
    reason: str
    """Why, in the admin's words."""


class SessionTimedOut(Event, frozen=True, kw_only=True, tag="SessionTimedOut.v1"):
    """The agent stopped reporting a session: marked タイムアウト (SPEC C3, *beyond*)."""

    context = "terminals"
    aggregate = "session"

    account: str
    terminal_id: str
    last_heartbeat_at: datetime
    """When the agent last said the session was alive."""


class SessionCloseAcknowledged(Event, frozen=True, kw_only=True, tag="SessionCloseAcknowledged.v1"):
    """The terminal's agent confirmed it cut a session it was ordered to close (SPEC C4)."""

    context = "terminals"
    aggregate = "session"

    terminal_id: str
    order_seq: int
    """The order's number in the terminal's control channel."""


TERMINAL_EVENTS: tuple[type[Event], ...] = (
    TerminalCreated,
    TerminalRenamed,
    TerminalDeleted,
    AgentCredentialIssued,
    AgentCredentialRevoked,
    ConnectionDecided,
    SessionStarted,
    SessionEnded,
    SessionForceClosed,
    SessionTimedOut,
    SessionCloseAcknowledged,
)
