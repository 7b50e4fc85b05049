"""Reads of users from identity's state tables: one user, many by account, a searched page.

Commands read ``User`` (the aggregate's state, every assigned terminal id); screens read
``Entry``: the user as the API shows it, the JSON object the row keeps (migration 0006)
with 「失効」 set for the day it is read. No aggregate is folded and no structure built for
a read: the list reads 51 users per request.
Search is partial and case-insensitive: lower-cased keys compared with ``LIKE`` against
the lower-cased term, served by the trigram indexes of 0005; pages are keyset pages on
(sort key, account key), both in the "C" collation.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, NamedTuple

import asyncpg
import msgspec

from libs.events.catalogue.users import AccessHours, UserProfile
from libs.postgres.connection import Connection
from services.identity.contract.users import UserOut
from services.identity.domain.user import User

Sort = Literal["account", "name"]

_BASE_COLUMNS = """
    u.user_id, u.account, u.account_key, u.name_key, u.family_name, u.given_name, u.email,
    u.valid_from, u.valid_until, u.macs, u.hours_start, u.hours_end, u.file_share,
    u.federation_targets, u.version"""

# Commands see every assigned terminal id, a deleted terminal's too (the sweeper's work).
_USER_COLUMNS = f"""{_BASE_COLUMNS},
    ARRAY(SELECT ut.terminal_id FROM user_terminals ut
          WHERE ut.user_id = u.user_id ORDER BY ut.terminal_id) AS terminal_ids"""

NUL = "\x00"
"""PostgreSQL text cannot hold it: an id or key containing it names nothing, and passing
it to the database would fail the request instead of answering "not found"."""

_SORT_KEYS: dict[Sort, tuple[str, ...]] = {
    "account": ("u.account_key",),
    "name": ("u.name_key", "u.account_key"),
}


class Entry(NamedTuple):
    """A user as the list and the form show it."""

    json: bytes
    """The API's object (the contract's ``UserOut``): the row's entry with ``expired`` set."""
    account_key: str
    name_key: str

    def sort_keys(self, sort: Sort) -> tuple[str, ...]:
        """Its keyset position under ``sort``."""
        return (self.account_key,) if sort == "account" else (self.name_key, self.account_key)


# 「失効」: outside 有効開始日 – 有効終了日 of the facility's day ($1), as domain.user.User.expired.
_ENTRY_COLUMNS = """
    NOT (u.valid_from <= $1 AND $1 <= u.valid_until) AS expired, u.entry,
    u.account_key, u.name_key"""


def _entry(row: asyncpg.Record) -> Entry:
    # The stored object begins with "{": 「失効」 goes in front of its first member.
    opening = b'{"expired":true,' if row[0] else b'{"expired":false,'
    return Entry(opening + row[1][1:], row[2], row[3])


def user_from_row(row: asyncpg.Record, facility_code: str) -> User:
    """The ``User`` in a row selected with ``_USER_COLUMNS``."""
    hours = (
        AccessHours(start=row["hours_start"], end=row["hours_end"])
        if row["hours_start"] is not None
        else None
    )
    return User(
        user_id=row["user_id"],
        facility=facility_code,
        account=row["account"],
        profile=UserProfile(
            family_name=row["family_name"],
            given_name=row["given_name"],
            email=row["email"],
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
            macs=tuple(row["macs"]),
            hours=hours,
            file_share=row["file_share"],
            federation_targets=tuple(row["federation_targets"]),
        ),
        terminals=frozenset(row["terminal_ids"] or ()),
        version=row["version"],
    )


async def load_user(
    conn: Connection, facility_id: str, facility_code: str, user_id: str
) -> User | None:
    """One user of the facility, or None (missing or another facility's, SPEC T3)."""
    if NUL in user_id:
        return None
    row = await conn.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM users u WHERE u.user_id = $1 AND u.facility_id = $2",
        user_id,
        facility_id,
    )
    return user_from_row(row, facility_code) if row else None


async def load_users(
    conn: Connection, facility_id: str, facility_code: str, user_ids: Sequence[str]
) -> dict[str, User]:
    """The facility's users among ``user_ids``, by id."""
    rows = await conn.fetch(
        f"SELECT {_USER_COLUMNS} FROM users u WHERE u.user_id = ANY($1) AND u.facility_id = $2",
        [user_id for user_id in user_ids if NUL not in user_id],
        facility_id,
    )
    return {row["user_id"]: user_from_row(row, facility_code) for row in rows}


async def users_of_terminal(
    conn: Connection, facility_id: str, facility_code: str, terminal_id: str
) -> dict[str, User]:
    """The facility's users assigned to ``terminal_id``, by id."""
    rows = await conn.fetch(
        f"""SELECT {_USER_COLUMNS} FROM users u
            WHERE u.facility_id = $1 AND EXISTS (
                SELECT 1 FROM user_terminals ut
                WHERE ut.user_id = u.user_id AND ut.terminal_id = $2)""",
        facility_id,
        terminal_id,
    )
    return {row["user_id"]: user_from_row(row, facility_code) for row in rows}


async def users_by_account(
    conn: Connection, facility_id: str, facility_code: str, account_keys: Sequence[str]
) -> dict[str, User]:
    """The facility's users among lower-cased accounts, by lower-cased account."""
    rows = await conn.fetch(
        f"""SELECT {_USER_COLUMNS} FROM users u
            WHERE u.facility_id = $1 AND u.account_key = ANY($2::text[])""",
        facility_id,
        list(account_keys),
    )
    return {row["account_key"]: user_from_row(row, facility_code) for row in rows}


async def account_holder(
    conn: Connection, facility_id: str, facility_code: str, account: str
) -> tuple[str | None, User | None]:
    """Who holds ``account`` anywhere (``admin``/``user``/None), and the facility's user."""
    row = await conn.fetchrow(
        f"""SELECT a.kind, {_USER_COLUMNS}
            FROM accounts a
            LEFT JOIN users u ON u.user_id = a.owner_id AND u.facility_id = $2
            WHERE a.account_key = lower($1)""",
        account,
        facility_id,
    )
    if row is None:
        return None, None
    user = user_from_row(row, facility_code) if row["user_id"] is not None else None
    return row["kind"], user


async def account_kinds(conn: Connection, account_keys: Sequence[str]) -> dict[str, str]:
    """``admin`` or ``user`` for each lower-cased account already held, anywhere."""
    rows = await conn.fetch(
        "SELECT account_key, kind FROM accounts WHERE account_key = ANY($1::text[])",
        list(account_keys),
    )
    return {row["account_key"]: row["kind"] for row in rows}


async def load_entry(conn: Connection, facility_id: str, user_id: str, today: date) -> Entry | None:
    if NUL in user_id:
        return None
    row = await conn.fetchrow(
        f"SELECT {_ENTRY_COLUMNS} FROM users u WHERE u.user_id = $2 AND u.facility_id = $3",
        today,
        user_id,
        facility_id,
    )
    return _entry(row) if row else None


async def load_user_out(
    conn: Connection, facility_id: str, user_id: str, today: date
) -> UserOut | None:
    """One user as the contract's ``UserOut``: the row's entry, rendered by SQL (the
    ``user_entry`` function of migration 0006), decoded, so the schema holds it."""
    entry = await load_entry(conn, facility_id, user_id, today)
    return None if entry is None else msgspec.json.decode(entry.json, type=UserOut)


def like_pattern(term: str) -> str:
    """``%term%`` with LIKE's wildcards in ``term`` taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Search:
    """検索条件 and the page wanted (U3)."""

    today: date
    """The facility's day, for 「失効」."""
    account: str = ""
    name: str = ""
    email: str = ""
    sort: Sort = "account"
    descending: bool = False
    after: tuple[str, ...] | None = None
    """Keyset position of the previous page's last row under ``sort``."""
    limit: int = 50


async def search_users(conn: Connection, facility_id: str, search: Search) -> list[Entry]:
    """One page of the facility's users matching ``search``, in its order."""
    args: list[Any] = [search.today, facility_id]
    conditions = ["u.facility_id = $2"]
    # Only the filters in use go into the SQL, so each shape gets a plan that can use
    # the trigram index of its key (planned for the term itself: decision 0007).
    for key, term in (
        ("u.account_key", search.account),
        ("u.name_key", search.name),
        ("u.email_key", search.email),
    ):
        if term:
            args.append(like_pattern(term))
            conditions.append(f"{key} LIKE lower(${len(args)})")
    keys = _SORT_KEYS[search.sort]
    direction = "DESC" if search.descending else "ASC"
    if search.after is not None:
        placeholders = []
        for value in search.after:
            args.append(value)
            placeholders.append(f"${len(args)}")
        operator = "<" if search.descending else ">"
        conditions.append(f"({', '.join(keys)}) {operator} ({', '.join(placeholders)})")
    args.append(search.limit)
    order = ", ".join(f"{key} {direction}" for key in keys)
    rows = await conn.fetch(
        f"""SELECT {_ENTRY_COLUMNS} FROM users u
            WHERE {" AND ".join(conditions)}
            ORDER BY {order} LIMIT ${len(args)}""",
        *args,
    )
    return [_entry(row) for row in rows]


async def count_users(conn: Connection, facility_id: str) -> int:
    return int(
        await conn.fetchval("SELECT count(*) FROM users WHERE facility_id = $1", facility_id)
    )


_EXPORT = """
    SELECT u.account, u.family_name, u.given_name, u.email, u.valid_from, u.valid_until, u.macs,
           u.live_terminal_names, u.hours_start, u.hours_end, u.file_share,
           u.federation_targets
    FROM users u
    WHERE u.facility_id = $1 ORDER BY u.account_key"""


async def export_batches(
    conn: Connection, facility_id: str, batch: int = 5000
) -> AsyncIterator[list[asyncpg.Record]]:
    """Every user of the facility in account order, as rows in the order of
    ``csv_format.export_cells``'s arguments; call inside a transaction."""
    cursor = await conn.cursor(_EXPORT, facility_id)
    while rows := await cursor.fetch(batch):
        yield rows
