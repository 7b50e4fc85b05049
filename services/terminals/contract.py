"""What the gateway (and the reference agent) may know of terminals, and all they may
import of it (decision 0034): the agent protocol's messages (``/agent/v1``: one
definition for server, gateway and agents), the admin API's wire types and paths, and the
rule of a terminal's name part (SPEC K1). Imports only msgspec, the standard library and
libs."""

from datetime import datetime

import msgspec

FACILITY_PATH = "/internal/v1/facilities/{code:str}"
"""The admin routes of a facility: ``/terminals``, ``/terminals/{terminal_id}``, ``/sessions``
… (fill with ``libs.runtime.paths.fill``)."""
AGENT_PATH = "/agent/v1"
"""The agent protocol, which the gateway passes through as it is."""

TERMINAL_NAME_MAX = 60
"""A terminal's name part, at most (K1)."""


class TerminalInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The terminal behind the credential, and the protocol's timings."""

    terminal_id: str
    name: str
    facility: str
    server_time: datetime
    heartbeat_interval_s: float
    """How often to report the sessions held open."""
    heartbeat_timeout_s: float
    """A session not reported for this long is timed out (SPEC C3)."""
    poll_wait_max_s: float
    """The longest a control-channel poll is held."""


class AuthorizeRequest(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    """The full account, ``<code>-<name>@<domain>``, any case."""
    mac: str
    """The client's MAC: ``AA-BB-CC-DD-EE-FF``, ``AA:BB:CC:DD:EE:FF`` or ``AABBCCDDEEFF``."""


class DecisionOut(msgspec.Struct, frozen=True, kw_only=True):
    decision_id: str
    """Quote it to report the session's start (allowed decisions only)."""
    allowed: bool
    reason: str | None
    """Why it is refused: ``unknown_user``, ``admin_account``, ``not_yet_valid``,
    ``expired``, ``mac_not_registered``, ``terminal_not_assigned``, ``outside_hours``,
    ``terminal_unknown``."""
    message: str | None
    """The reason in Japanese, to show the user."""


class StartRequest(msgspec.Struct, frozen=True, kw_only=True):
    decision_id: str


class SessionOut(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    account: str
    state: str
    """``live``, or how it ended: ``ended``, ``force_closed``, ``timed_out``."""


class HeartbeatRequest(msgspec.Struct, frozen=True, kw_only=True):
    sessions: list[str]
    """Ids of every session the agent holds open."""


class HeartbeatOut(msgspec.Struct, frozen=True, kw_only=True):
    live: list[str]
    ended: list[str]
    """Sessions the agent reported that are not live here: cut them."""
    server_time: datetime


class AgentOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order for the agent: cut this session, then acknowledge ``seq``."""

    seq: int
    """Position in the terminal's channel; poll again with ``after`` = the highest seen."""
    kind: str
    """``close``: cut the session."""
    session_id: str
    account: str
    cause: str
    """``force_closed`` (an admin's 強制切断) or ``user_deleted``."""
    reason: str | None
    """The admin's words, for a force close."""
    ordered_at: datetime


class OrdersOut(msgspec.Struct, frozen=True, kw_only=True):
    orders: list[AgentOrder]
    cursor: int
    """Pass as ``after`` to the next poll."""


class AckOut(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    first: bool
    """True the first time this order is acknowledged; repeating changes nothing."""


class TerminalSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A row of 「接続端末一覧」 (SPEC K1)."""

    terminal_id: str
    name: str
    """接続端末名, ``<code>-<name>``."""
    user_count: int
    """ユーザー数: users assigned to it, not counting deleted ones."""
    version: int
    created_at: datetime


class TerminalUser(msgspec.Struct, frozen=True, kw_only=True):
    """A row of 「ユーザー選択」 on the terminal form (SPEC K2, K3); admins are not listed."""

    user_id: str
    account: str
    family_name: str
    given_name: str
    email: str
    assigned: bool
    """Checked: assigned to the terminal the form is for."""


class SessionView(msgspec.Struct, frozen=True, kw_only=True):
    """A session as the admin sees it (SPEC C3, C4, A1's 端末接続履歴)."""

    session_id: str
    account: str
    terminal_id: str
    terminal_name: str
    mac: str
    state: str
    """``live``, ``ended``, ``force_closed`` or ``timed_out``."""
    state_label: str
    """アクティブ状態: 接続中, 切断, 強制切断 or タイムアウト."""
    started_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    """For ``ended``: ``agent``, ``user_deleted`` or ``terminal_deleted``."""
    closed_by: str | None
    close_reason: str | None
    close_acknowledged_at: datetime | None
    """When the agent confirmed it cut a force-closed session."""
    version: int


class CredentialView(msgspec.Struct, frozen=True, kw_only=True):
    credential_id: str
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None


class TerminalCreate(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    """The name part only; the full name is ``<code>-<name>``."""


class TerminalUpdate(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    version: int | None = None
    """The version the admin edited; a newer one on the server refuses the change (409)."""


class TerminalWritten(msgspec.Struct, frozen=True, kw_only=True):
    terminal: TerminalSummary
    consistency_token: str | None
    """The last event written; None when nothing changed."""


class TerminalDeletedOut(msgspec.Struct, frozen=True, kw_only=True):
    terminal_id: str
    ended_sessions: int
    consistency_token: str


class ForceCloseRequest(msgspec.Struct, frozen=True, kw_only=True):
    reason: str
    """Why, in the admin's words (1–200 characters)."""


class ForceClosed(msgspec.Struct, frozen=True, kw_only=True):
    session: SessionView
    consistency_token: str


class CredentialIssued(msgspec.Struct, frozen=True, kw_only=True):
    """A new agent credential. ``token`` is shown this once and kept nowhere."""

    credential_id: str
    terminal_id: str
    terminal: str
    """The terminal's name, as ``./fumidai agent --terminal`` takes it."""
    token: str
    consistency_token: str


class CredentialRevoked(msgspec.Struct, frozen=True, kw_only=True):
    credential_id: str
    consistency_token: str | None
