"""The agent protocol's messages, ``/agent/v1``: one definition for server and agents."""

from datetime import datetime

import msgspec


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
