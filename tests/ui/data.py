"""Users and terminals made through the admin API before a test drives the screens."""

from datetime import date, timedelta
from typing import Any

from tests.gateway_support import Admin


def user_body(name: str, n: int, today: date, **changes: Any) -> dict[str, Any]:
    """A user in the manual's style (operation-user01 …), valid for a year from today."""
    body: dict[str, Any] = {
        "name": name,
        "family_name": "operation",
        "given_name": f"user{n:02d}",
        "email": f"{name}@example.jp",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "macs": ["00-11-22-33-44-55"],
        "terminals": [],
        "file_share": "deny",
    }
    body.update(changes)
    return body


async def create_user(admin: Admin, body: dict[str, Any]) -> dict[str, Any]:
    """The user as created (``UserOut``)."""
    created = await admin.send("POST", "/users", json=body)
    assert created.status_code == 201, created.text
    user: dict[str, Any] = created.json()["user"]
    return user


async def read_user(admin: Admin, user_id: str) -> dict[str, Any]:
    found = await admin.get(f"/users/{user_id}")
    assert found.status_code == 200, found.text
    user: dict[str, Any] = found.json()
    return user


async def create_terminal(admin: Admin, name: str) -> str:
    made = await admin.send("POST", "/terminals", json={"name": name})
    assert made.status_code == 201, made.text
    terminal_id: str = made.json()["terminal"]["terminal_id"]
    return terminal_id
