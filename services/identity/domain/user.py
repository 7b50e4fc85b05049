"""The user aggregate (SPEC U1–U7): commands as functions returning events, and ``mutate``.

A user is a remote user (利用者) of one facility with its access profile and terminal
assignments. Admins are another aggregate and never become users, so they can never be
assigned terminals or connect (T4). The functions here are pure: the app layer loads the
state, calls one, envelops the events with versions and appends them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import msgspec

from libs.events.catalogue import Event
from libs.events.catalogue.users import (
    TerminalAssigned,
    TerminalUnassigned,
    UserCreated,
    UserDeleted,
    UserMfaReset,
    UserPasswordReset,
    UserProfile,
    UserSecondPasswordReset,
    UserUpdated,
)
from libs.events.envelope import Envelope
from services.identity.domain.user_profile import check_validity

PROFILE_FIELDS: tuple[str, ...] = tuple(
    msgspec.structs.fields(UserProfile)[i].name
    for i in range(len(msgspec.structs.fields(UserProfile)))
)
"""Names of the ``UserProfile`` fields, in declaration order (``UserUpdated.changed``)."""


@dataclass(frozen=True)
class User:
    """A user's current state, as folded from its events."""

    user_id: str
    facility: str
    """Facility code."""
    account: str
    profile: UserProfile
    terminals: frozenset[str]
    """Ids of the terminals the user may connect through."""
    version: int

    @property
    def name(self) -> str:
        """The name part of ``<code>-<name>@<domain>`` (SPEC T2)."""
        local = self.account.rpartition("@")[0]
        return local[len(self.facility) + 1 :]

    def expired(self, today: date) -> bool:
        """「失効」: outside 有効開始日 00:00 – 有効終了日 23:59:59 of the facility's day."""
        return not self.profile.valid_from <= today <= self.profile.valid_until


def create(account: str, profile: UserProfile, terminals: Iterable[str]) -> list[Event]:
    """A new user with its profile and terminals (U2)."""
    events: list[Event] = [UserCreated(account=account, profile=profile)]
    events += [TerminalAssigned(account=account, terminal_id=t) for t in sorted(set(terminals))]
    return events


def changed_fields(before: UserProfile, after: UserProfile) -> tuple[str, ...]:
    """The profile fields whose value differs, in declaration order."""
    return tuple(name for name in PROFILE_FIELDS if getattr(before, name) != getattr(after, name))


def update(user: User, profile: UserProfile, terminals: Iterable[str]) -> list[Event]:
    """The events that bring ``user`` to ``profile`` and ``terminals``; none if both hold (U4)."""
    events: list[Event] = []
    changed = changed_fields(user.profile, profile)
    if changed:
        events.append(UserUpdated(account=user.account, profile=profile, changed=changed))
    wanted = frozenset(terminals)
    events += [
        TerminalUnassigned(account=user.account, terminal_id=t, reason="admin")
        for t in sorted(user.terminals - wanted)
    ]
    events += [
        TerminalAssigned(account=user.account, terminal_id=t)
        for t in sorted(wanted - user.terminals)
    ]
    return events


def set_terminal(user: User, terminal_id: str, assigned: bool) -> list[Event]:
    """Check or uncheck ``user`` in a terminal's 「ユーザー選択」 (K3); none if it holds."""
    terminals = user.terminals | {terminal_id} if assigned else user.terminals - {terminal_id}
    return update(user, user.profile, terminals)


def set_valid_until(user: User, valid_until: date, today: date) -> list[Event]:
    """有効終了日一括登録 for one user (U7); refuse a date before its 有効開始日."""
    check_validity(user.profile.valid_from, valid_until, today)
    return update(user, replace_profile(user.profile, valid_until=valid_until), user.terminals)


def replace_profile(profile: UserProfile, **changes: object) -> UserProfile:
    """``profile`` with some fields replaced."""
    return msgspec.structs.replace(profile, **changes)


def reset_password(user: User) -> list[Event]:
    """A new initial password is issued; the user must change it at next sign-in (U4)."""
    return [UserPasswordReset(account=user.account)]


def reset_mfa(user: User) -> list[Event]:
    """The authenticator is unbound; the user enrols again at next sign-in (U4)."""
    return [UserMfaReset(account=user.account)]


def reset_second_password(user: User) -> list[Event]:
    """A new second password is issued; the old one stops working at once (issue 15)."""
    return [UserSecondPasswordReset(account=user.account)]


def delete(user: User) -> list[Event]:
    """Remove the user (U5): its assignments go first, the deletion is its last event."""
    events: list[Event] = [
        TerminalUnassigned(account=user.account, terminal_id=t, reason="user_deleted")
        for t in sorted(user.terminals)
    ]
    events.append(UserDeleted(account=user.account))
    return events


def unassign_deleted_terminals(user: User, terminal_ids: Iterable[str]) -> list[Event]:
    """identity's reaction to terminals deleted elsewhere (K4): drop those the user still has."""
    return [
        TerminalUnassigned(account=user.account, terminal_id=t, reason="terminal_deleted")
        for t in sorted(user.terminals & frozenset(terminal_ids))
    ]


def mutate(state: User | None, envelope: Envelope) -> User | None:
    """The state after one event; None once deleted (or before creation)."""
    data = envelope.data
    if isinstance(data, UserCreated):
        return User(
            user_id=envelope.aggregate_id,
            facility=envelope.facility,
            account=data.account,
            profile=data.profile,
            terminals=frozenset(),
            version=envelope.version,
        )
    if state is None or isinstance(data, UserDeleted):
        return None
    if isinstance(data, UserUpdated):
        state = replace(state, profile=data.profile)
    elif isinstance(data, TerminalAssigned):
        state = replace(state, terminals=state.terminals | {data.terminal_id})
    elif isinstance(data, TerminalUnassigned):
        state = replace(state, terminals=state.terminals - {data.terminal_id})
    return replace(state, version=envelope.version)


def fold(envelopes: Sequence[Envelope], state: User | None = None) -> User | None:
    """The state after ``envelopes``, from ``state`` (None: from the beginning)."""
    for envelope in envelopes:
        state = mutate(state, envelope)
    return state
