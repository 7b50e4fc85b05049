"""Account names (SPEC U1, T2): ``<code>-<name>@<domain>``; the admin types only the name."""

import re

from services.identity.contract.limits import ACCOUNT_NAME_PATTERN as NAME_PATTERN
from services.identity.domain.errors import invalid

_NAME = re.compile(NAME_PATTERN)


def check_account_name(name: str, field: str = "account") -> str:
    """Return ``name`` if it is 1–60 of ``[A-Za-z0-9._-]``, alphanumeric at both ends."""
    if not _NAME.fullmatch(name):
        raise invalid(field, "account_name_invalid")
    return name


def full_account(code: str, name: str, domain: str) -> str:
    """The full account of ``name`` in a facility (SPEC T2)."""
    return f"{code}-{name}@{domain}"
