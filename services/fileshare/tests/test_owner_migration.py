"""fileshare's migration 0005 (issue 16, item 3): shares uploaded before owners had ids get
the id of the one user known by that name; where several were, nobody's (admins only)."""

import asyncpg

from libs.postgres.migrations import apply
from libs.runtime.backbone import service_migrations
from services.fileshare.bootstrap import MIGRATIONS

SHARE = """INSERT INTO shares (share_id, facility, version, owner_account, owner_name,
    uploaded_by, uploaded_by_role, direction, purpose, needs_approval, state, total_size,
    uploaded_at, expires_at)
    VALUES ($1, $2, 1, $3, '佐藤 花子', $3, 'user', 'internal', '共有', false, 'available', 1,
            now(), now() + interval '1 day')"""
USER = """INSERT INTO share_users (user_id, facility, account, name, email, file_share, deleted)
    VALUES ($1, $2, $3, '佐藤 花子', 'x@example.jp', 'always', $4)"""


async def test_issue16_3_old_shares_get_their_owner_only_where_the_name_is_unambiguous(
    database_url: str,
) -> None:
    migrations = service_migrations("fileshare", MIGRATIONS)
    before = [m for m in migrations if not (m.component == "fileshare" and m.version >= 5)]
    conn = await asyncpg.connect(database_url)
    try:
        await apply(conn, before)
        await conn.execute(USER, "u-alone", "998", "998-alone@h.example.jp", False)
        await conn.execute(USER, "u-gone", "998", "998-twice@h.example.jp", True)
        await conn.execute(USER, "u-again", "998", "998-twice@h.example.jp", False)
        await conn.execute(USER, "u-other", "997", "997-alone@h.example.jp", False)
        await conn.execute(SHARE, "s-alone", "998", "998-Alone@h.example.jp")
        await conn.execute(SHARE, "s-twice", "998", "998-twice@h.example.jp")
        await conn.execute(SHARE, "s-unknown", "998", "998-nobody@h.example.jp")
        await conn.execute(SHARE, "s-elsewhere", "998", "997-alone@h.example.jp")
        await apply(conn, migrations)
        rows = await conn.fetch("SELECT share_id, owner_id FROM shares")
        owners = {row["share_id"]: row["owner_id"] for row in rows}
    finally:
        await conn.close()
    assert owners == {
        "s-alone": "u-alone",  # the name matched without case, one user: hers
        "s-twice": None,  # deleted and re-created: nobody can tell, admins only
        "s-unknown": None,
        "s-elsewhere": None,  # another facility's user is never the owner
    }
