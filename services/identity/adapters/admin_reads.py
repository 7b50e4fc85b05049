"""Reads of admins for the routes (their own profile)."""

from typing import Any

from libs.postgres.connection import Connection


async def own_admin_profile(conn: Connection, account: str, code: str) -> dict[str, Any] | None:
    """The account, name, 氏名 and address of the admin ``account`` of facility ``code``."""
    row = await conn.fetchrow(
        """SELECT ad.account, ad.name, ad.display_name, ad.email FROM admins ad
           JOIN accounts a ON a.owner_id = ad.admin_id
           JOIN facilities f ON f.facility_id = ad.facility_id
           WHERE a.account_key = lower($1) AND f.code = $2""",
        account,
        code,
    )
    return dict(row) if row else None
