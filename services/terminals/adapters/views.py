"""Read models for admins: the terminal list and form, sessions, credentials.

Always scoped by facility in the query itself (SPEC T3).
"""

from typing import Literal

import asyncpg

from services.terminals.contract import CredentialView, SessionView, TerminalSummary, TerminalUser
from services.terminals.messages import STATE_LABELS


async def list_terminals(
    pool: asyncpg.Pool,
    facility: str,
    order: Literal["asc", "desc"] = "asc",
    terminal_id: str | None = None,
) -> list[TerminalSummary]:
    """The facility's terminals (or the one named) with their user counts, sorted by name."""
    direction = "DESC" if order == "desc" else "ASC"
    rows = await pool.fetch(
        f"""SELECT t.terminal_id, t.name, t.version, t.created_at,
                   count(a.user_id) FILTER (WHERE NOT coalesce(u.deleted, false))::int
                       AS user_count
            FROM terminals t
            LEFT JOIN access_assignments a
                   ON a.terminal_id = t.terminal_id AND a.facility = t.facility AND a.assigned
            LEFT JOIN access_users u ON u.user_id = a.user_id
            WHERE t.facility = $1 AND t.deleted_at IS NULL
              AND ($2::text IS NULL OR t.terminal_id = $2)
            GROUP BY t.terminal_id
            ORDER BY t.name_key COLLATE "C" {direction}, t.name COLLATE "C" {direction}""",
        facility,
        terminal_id,
    )
    return [TerminalSummary(**dict(row)) for row in rows]


async def get_terminal(
    pool: asyncpg.Pool, facility: str, terminal_id: str
) -> TerminalSummary | None:
    found = await list_terminals(pool, facility, terminal_id=terminal_id)
    return found[0] if found else None


async def terminal_users(
    pool: asyncpg.Pool, facility: str, terminal_id: str | None, account: str | None
) -> list[TerminalUser]:
    """The facility's users (not admins, not deleted), filtered by account (partial,
    ignoring case), each with whether it is assigned to ``terminal_id``."""
    rows = await pool.fetch(
        """SELECT u.user_id, u.account, coalesce(u.family_name, '') AS family_name,
                  coalesce(u.given_name, '') AS given_name, coalesce(u.email, '') AS email,
                  coalesce(a.assigned, false) AS assigned
           FROM access_users u
           LEFT JOIN access_assignments a ON a.user_id = u.user_id AND a.terminal_id = $2
           WHERE u.facility = $1 AND NOT u.deleted AND u.profile_version IS NOT NULL
             AND ($3::text IS NULL OR strpos(u.account_key, lower($3)) > 0)
           ORDER BY u.account_key""",
        facility,
        terminal_id,
        account,
    )
    return [TerminalUser(**dict(row)) for row in rows]


_SESSION_VIEW = """SELECT session_id, account, terminal_id, terminal_name, mac, state,
       started_at, last_seen_at, ended_at, end_reason, closed_by, close_reason,
       close_acknowledged_at, version FROM sessions"""


def _session(row: asyncpg.Record) -> SessionView:
    return SessionView(**dict(row), state_label=STATE_LABELS[row["state"]])


async def live_sessions(
    pool: asyncpg.Pool, facility: str, terminal_id: str | None, limit: int, offset: int
) -> list[SessionView]:
    """The facility's 接続中 sessions, newest first."""
    rows = await pool.fetch(
        f"""{_SESSION_VIEW}
            WHERE facility = $1 AND state = 'live' AND ($2::text IS NULL OR terminal_id = $2)
            ORDER BY started_at DESC, session_id DESC LIMIT $3 OFFSET $4""",
        facility,
        terminal_id,
        limit,
        offset,
    )
    return [_session(row) for row in rows]


async def get_session(pool: asyncpg.Pool, facility: str, session_id: str) -> SessionView | None:
    row = await pool.fetchrow(
        f"{_SESSION_VIEW} WHERE facility = $1 AND session_id = $2", facility, session_id
    )
    return _session(row) if row else None


async def credentials(pool: asyncpg.Pool, facility: str, terminal_id: str) -> list[CredentialView]:
    rows = await pool.fetch(
        """SELECT credential_id, issued_at, issued_by, revoked_at FROM agent_credentials
           WHERE facility = $1 AND terminal_id = $2 ORDER BY issued_at, credential_id""",
        facility,
        terminal_id,
    )
    return [CredentialView(**dict(row)) for row in rows]
