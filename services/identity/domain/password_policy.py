"""The password policy (SPEC L1): what a new password chosen by a person must be.

12–128 characters, at least 3 of 4 classes (upper case, lower case, digits, symbols),
not containing the account name, different from the current password. Machine-made
initial passwords meet it by construction (``adapters.passwords.generate_password``).
"""

from datetime import datetime, timedelta

from libs.runtime.refusals import DomainError, FieldProblem
from services.identity.contract.limits import PASSWORD_MAX as MAX_LENGTH
from services.identity.contract.limits import PASSWORD_MIN as MIN_LENGTH
from services.identity.messages import message

MIN_CLASSES = 3


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols ``password`` uses."""
    upper = any("A" <= c <= "Z" for c in password)
    lower = any("a" <= c <= "z" for c in password)
    digit = any("0" <= c <= "9" for c in password)
    # Anything else printable counts as a symbol (also non-ASCII): it widens the search
    # space as much as punctuation does.
    symbol = any(not (c.isascii() and c.isalnum()) for c in password)
    return upper + lower + digit + symbol


def policy_problems(password: str, account_name: str, *, same_as_current: bool) -> list[str]:
    """The codes of every rule ``password`` breaks, in the order the form shows them."""
    problems = []
    if not password.isprintable():
        problems.append("password_characters_invalid")
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append("password_length")
    if character_classes(password) < MIN_CLASSES:
        problems.append("password_classes")
    if account_name and account_name.lower() in password.lower():
        problems.append("password_contains_account")
    if same_as_current:
        problems.append("password_reused")
    return problems


def policy_refusal(codes: list[str], field: str = "new_password") -> DomainError:
    """The 400 naming every broken rule, each with its Japanese message for the form."""
    errors = tuple(FieldProblem(field, code, message(code)) for code in codes)
    return DomainError(codes[0], message("password_policy"), errors=errors)


def password_expired(changed_at: datetime | None, max_age_days: int | None, now: datetime) -> bool:
    """True when the facility sets an expiry and the password is older than it (L1)."""
    if max_age_days is None:
        return False
    if changed_at is None:  # never changed by its owner: treat as old as can be
        return True
    return now >= changed_at + timedelta(days=max_age_days)
