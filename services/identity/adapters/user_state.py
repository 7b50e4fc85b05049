"""identity's state tables of users, kept from the user aggregate's own events.

A command's events of one user are applied together, in one statement, inside the
command's transaction after the append (decision 0001): the ``users`` row takes the last
profile and version, ``user_terminals`` the net assignments, and a deletion removes the
user (its terminals and credentials go by cascade) and frees its account. Rows that are
no event's but belong with the command — a new user's credentials, an import row's
result — ride in the same statement (``Alongside``). One statement per user per command
matters: a CSV import runs 10,000 commands, and each round trip to the database costs as
much as the work in it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from libs.events.catalogue.users import (
    TerminalAssigned,
    TerminalUnassigned,
    UserCreated,
    UserDeleted,
    UserProfile,
    UserUpdated,
)
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from services.identity.app.unit_of_work import Alongside

_PROFILE_COLUMNS = """family_name, given_name, email, valid_from, valid_until, macs,
    hours_start, hours_end, file_share, federation_targets"""

# $1 user id, $2 account, $3 name part, $4–$13 profile, $14 version, $15 time,
# $16 facility code, $17 terminal ids, $18/$19 password hashes (NULL: none).
_CREATE = f"""
WITH account AS (
    INSERT INTO accounts (account_key, owner_id, kind) VALUES (lower($2), $1, 'user')
), created AS (
    -- With the row's cache of its live terminals (migration 0004).
    INSERT INTO users (user_id, facility_id, account, name, {_PROFILE_COLUMNS}, version,
                       created_at, updated_at, live_terminal_ids, live_terminal_names)
    SELECT $1, f.facility_id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15,
           live.ids, live.names
    FROM facilities f, live_terminals($17::text[]) AS live WHERE f.code = $16
    RETURNING user_id
), assigned AS (
    INSERT INTO user_terminals (user_id, terminal_id)
    SELECT created.user_id, t FROM created, unnest($17::text[]) AS t
), secrets AS (
    INSERT INTO user_credentials (user_id, password_hash, second_password_hash,
                                  must_change_password)
    SELECT created.user_id, $18, $19, true FROM created WHERE $18::text IS NOT NULL
){{record}}
SELECT 1
"""

# $1 user id, $2 version, $3 time, $4 terminal ids dropped, $5 added, $6–$15 profile.
# Every sub-statement sees the assignments as they were, so the row's cache of its live
# terminals (migration 0004) is computed from those, less the dropped, plus the added.
_CHANGE = """
WITH profile AS (
    UPDATE users SET {profile} version = $2, updated_at = $3,
        (live_terminal_ids, live_terminal_names) = (SELECT live.ids, live.names
            FROM live_terminals(ARRAY(
                SELECT ut.terminal_id FROM user_terminals ut
                WHERE ut.user_id = $1 AND NOT ut.terminal_id = ANY ($4::text[])
                UNION SELECT unnest($5::text[])
            )) AS live)
    WHERE user_id = $1
), dropped AS (
    DELETE FROM user_terminals WHERE user_id = $1 AND terminal_id = ANY($4::text[])
), added AS (
    INSERT INTO user_terminals (user_id, terminal_id)
    SELECT $1, t FROM unnest($5::text[]) AS t
    ON CONFLICT DO NOTHING
){record}
SELECT 1
"""
_SET_PROFILE = """family_name = $6, given_name = $7, email = $8, valid_from = $9,
    valid_until = $10, macs = $11, hours_start = $12, hours_end = $13, file_share = $14,
    federation_targets = $15,"""

_DELETE = """
WITH account AS (
    DELETE FROM accounts WHERE owner_id = $1 AND kind = 'user'
), gone AS (
    DELETE FROM users WHERE user_id = $1
){record}
SELECT 1
"""


def _record_cte(first: int) -> str:
    """An import row's result, its three parameters numbered from ``first``."""
    return f""", kept AS (
    INSERT INTO job_rows (job_id, row_no, sealed)
    SELECT ${first}, ${first + 1}::int, ${first + 2}::bytea WHERE ${first}::text IS NOT NULL
)"""


def _profile_args(profile: UserProfile) -> tuple[object, ...]:
    hours = profile.hours
    return (
        profile.family_name,
        profile.given_name,
        profile.email,
        profile.valid_from,
        profile.valid_until,
        list(profile.macs),
        hours.start if hours else None,
        hours.end if hours else None,
        profile.file_share,
        list(profile.federation_targets),
    )


@dataclass
class _Delta:
    """What a run of one user's events changes, net."""

    created: UserCreated | None = None
    profile: UserProfile | None = None
    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    deleted: bool = False


def _delta(envelopes: Sequence[Envelope]) -> _Delta:
    delta = _Delta()
    for envelope in envelopes:
        data = envelope.data
        if isinstance(data, UserCreated):
            delta.created, delta.profile = data, data.profile
        elif isinstance(data, UserUpdated):
            delta.profile = data.profile
        elif isinstance(data, TerminalAssigned):
            delta.removed.discard(data.terminal_id)
            delta.added.add(data.terminal_id)
        elif isinstance(data, TerminalUnassigned):
            if data.terminal_id in delta.added:
                delta.added.discard(data.terminal_id)
            else:
                delta.removed.add(data.terminal_id)
        elif isinstance(data, UserDeleted):
            delta.deleted = True
    return delta


async def apply_user(
    conn: Connection, envelopes: Sequence[Envelope], alongside: Alongside | None = None
) -> None:
    """Apply consecutive events of one user (any of the aggregate's types) in one statement."""
    delta = _delta(envelopes)
    last = envelopes[-1]
    user_id = last.aggregate_id
    at: datetime = last.occurred_at
    record = alongside.record if alongside else None
    secrets = alongside.secrets if alongside else None
    args: list[object]
    if delta.deleted:
        sql, args = _DELETE, [user_id]
    elif delta.created is not None:
        account = delta.created.account
        sql = _CREATE
        args = [
            user_id,
            account,
            account.rpartition("@")[0][len(last.facility) + 1 :],
            *_profile_args(delta.profile or delta.created.profile),
            last.version,
            at,
            last.facility,
            sorted(delta.added),
            secrets[0] if secrets else None,
            secrets[1] if secrets else None,
        ]
    else:
        changed = delta.profile is not None
        sql = _CHANGE.replace("{profile}", _SET_PROFILE if changed else "")
        args = [user_id, last.version, at, sorted(delta.removed), sorted(delta.added)]
        if delta.profile is not None:
            args += _profile_args(delta.profile)
    args += [record.job_id, record.row_no, record.sealed] if record else [None, None, None]
    await conn.execute(sql.replace("{record}", _record_cte(len(args) - 2)), *args)


async def version_only(conn: Connection, envelope: Envelope) -> None:
    """An event of the user aggregate that changes none of these columns but the version
    (sign-in's credential events): the next command then appends at the right version."""
    await conn.execute(
        "UPDATE users SET version = $2, updated_at = $3 WHERE user_id = $1",
        envelope.aggregate_id,
        envelope.version,
        envelope.occurred_at,
    )
