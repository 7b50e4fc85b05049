"""Events of identity's user aggregate: remote users and their access profile (SPEC U1–U7).

identity owns each user's access profile — validity, MACs, hours, file-share permission,
federation targets and terminal assignments — so the user form, the terminal form (K3)
and the CSV all change this one aggregate. Secrets never appear here.
"""

from datetime import date
from typing import Literal

import msgspec

from libs.events.catalogue.base import Event

FileShare = Literal["always", "approval", "deny"]
"""ファイル共有権限: 常に許可 | 承認後に許可 | 拒否."""


class AccessHours(msgspec.Struct, frozen=True, kw_only=True):
    """接続利用可能時間 on 30-minute steps, facility wall-clock; end < start crosses midnight."""

    start: str
    """``HH:MM``, 00:00–23:30."""
    end: str
    """``HH:MM``, 00:30–24:00."""


class UserProfile(msgspec.Struct, frozen=True, kw_only=True):
    """Everything about a user an admin can edit (all but the account)."""

    family_name: str
    """姓 (required)."""
    given_name: str = ""
    """名."""
    email: str
    valid_from: date
    """有効開始日: valid from 00:00 of this day, facility time zone."""
    valid_until: date
    """有効終了日: valid until 23:59:59 of this day, facility time zone."""
    macs: tuple[str, ...] = ()
    """MAC addresses as ``AA:BB:CC:DD:EE:FF``; none means the user can never connect."""
    hours: AccessHours | None = None
    """None means 常に許可."""
    file_share: FileShare = "deny"
    federation_targets: tuple[str, ...] = ()
    """認証連携先, from the facility's catalogue."""


class UserCreated(Event, frozen=True, kw_only=True, tag="UserCreated.v1"):
    """An admin (or a CSV row) created a user. Aggregate id: the user's id."""

    context = "identity"
    aggregate = "user"

    account: str
    """Full account ``<code>-<name>@<domain>``; never changes."""
    profile: UserProfile


class UserUpdated(Event, frozen=True, kw_only=True, tag="UserUpdated.v1"):
    """A user's profile changed; carries the whole new profile and names what changed."""

    context = "identity"
    aggregate = "user"

    account: str
    profile: UserProfile
    changed: tuple[str, ...]
    """Names of the ``UserProfile`` fields whose value changed."""


class UserDeleted(Event, frozen=True, kw_only=True, tag="UserDeleted.v1"):
    """A user was deleted (SPEC U5): assignments go, live sessions end, logs stay."""

    context = "identity"
    aggregate = "user"

    account: str


class TerminalAssigned(Event, frozen=True, kw_only=True, tag="TerminalAssigned.v1"):
    """A user may now connect through a terminal (接続端末)."""

    context = "identity"
    aggregate = "user"

    account: str
    terminal_id: str


class TerminalUnassigned(Event, frozen=True, kw_only=True, tag="TerminalUnassigned.v1"):
    """A user may no longer connect through a terminal."""

    context = "identity"
    aggregate = "user"

    account: str
    terminal_id: str
    reason: Literal["admin", "terminal_deleted", "user_deleted"] = "admin"


class UserPasswordReset(Event, frozen=True, kw_only=True, tag="UserPasswordReset.v1"):
    """An admin reset a user's password; a new initial password was shown once (SPEC U4)."""

    context = "identity"
    aggregate = "user"

    account: str


class UserMfaReset(Event, frozen=True, kw_only=True, tag="UserMfaReset.v1"):
    """An admin unbound a user's authenticator; the user enrols again (SPEC U4)."""

    context = "identity"
    aggregate = "user"

    account: str


class UserSecondPasswordReset(Event, frozen=True, kw_only=True, tag="UserSecondPasswordReset.v1"):
    """An admin gave a user a new second password, shown once; the old one stops working."""

    context = "identity"
    aggregate = "user"

    account: str


USER_EVENTS: tuple[type[Event], ...] = (
    UserCreated,
    UserUpdated,
    UserDeleted,
    TerminalAssigned,
    TerminalUnassigned,
    UserPasswordReset,
    UserMfaReset,
    UserSecondPasswordReset,
)
