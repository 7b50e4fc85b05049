"""Who receives the facility's mail about a user's share (SPEC F6, issue 15)."""

from collections.abc import Iterable


def admin_recipients(
    notification_addresses: Iterable[str], admin_addresses: Iterable[str]
) -> list[str]:
    """The facility's notification addresses, then its enabled admins' own addresses: each
    address once (compared without case, as mail systems treat them; the first spelling
    kept), blanks dropped. One mail goes to all of them, so each gets it exactly once."""
    seen: set[str] = set()
    found: list[str] = []
    for address in (*notification_addresses, *admin_addresses):
        address = address.strip()
        if address and address.casefold() not in seen:
            seen.add(address.casefold())
            found.append(address)
    return found
