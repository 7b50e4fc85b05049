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


async def seed_manual_style(admin: Admin, today: date) -> None:
    """A small facility in the manual's style: terminals 998-operation-group01 …, users
    operation-user01 … with MACs, terminals, 08:30–17:30 windows, one 失効."""
    groups = [await create_terminal(admin, f"operation-group{n:02d}") for n in (1, 2, 3)]
    for n in range(1, 13):
        body = user_body(
            f"operation-user{n:02d}",
            n,
            today,
            email=f"operation-user{n:02d}@example.jp",
            terminals=[groups[n % 3]] if n % 4 else [],
            valid_from=(today - timedelta(days=120)).isoformat(),
            valid_until=(today + timedelta(days=480)).isoformat(),
            file_share=("approval", "deny", "always")[n % 3],
        )
        if n >= 9:
            body["hours"] = {"start": "08:30", "end": "17:30"}
        if n == 12:
            body["valid_until"] = (today - timedelta(days=1)).isoformat()  # 失効
        await create_user(admin, body)
