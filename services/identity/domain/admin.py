"""The admin aggregate (SPEC T4, issue 15): created by operators with a name (氏名) and an
address, disabled and enabled again by them, never deleted (manual 3.2)."""

from libs.events.catalogue.identity import AdminCreated
from libs.runtime.refusals import DomainError
from services.identity.contract.limits import USER_NAME_MAX as NAME_MAX
from services.identity.domain.accounts import check_account_name, full_account
from services.identity.domain.errors import field_problem, rejected
from services.identity.domain.user_profile import check_email, check_given_name


def check_display_name(value: str, field: str = "display_name") -> str:
    """氏名: required, at most 64 characters, printable NFC without control characters —
    a user's ユーザー名 rules (U1), as one field."""
    try:
        text = check_given_name(value)  # NFC, trimmed, no control or format characters
    except DomainError as error:
        raise rejected([field_problem(field, "user_name_invalid")]) from error
    if not text:
        raise rejected([field_problem(field, "admin_display_name_required")])
    if len(text) > NAME_MAX:
        raise rejected([field_problem(field, "admin_display_name_too_long")])
    return text


def check_admin_email(value: str, field: str = "email") -> str:
    """メールアドレス: a user's rules (U1): required, at most 64 characters, a valid address."""
    try:
        return check_email(value)
    except DomainError as error:
        raise rejected([field_problem(field, error.code)]) from error


def create_admin(
    facility_id: str,
    code: str,
    domain: str,
    name: str,
    display_name: str | None = None,
    email: str | None = None,
    *,
    field: str = "admin",
) -> AdminCreated:
    """The event creating admin ``name`` in facility ``code``; raise if anything is malformed.

    ``display_name`` and ``email`` are required of every admin the CLI or an operator adds;
    None is left only for callers that register a facility the way they did before admins
    had them (their admin shows its name part until then). ``field`` names the account name's
    field in a refusal (``admin`` at registration, ``name`` when adding).
    """
    check_account_name(name, field)
    prefix = "admin_" if field == "admin" else ""
    return AdminCreated(
        facility_id=facility_id,
        account=full_account(code, name, domain),
        name=name,
        display_name=(
            check_display_name(display_name, f"{prefix}display_name")
            if display_name is not None
            else ""
        ),
        email=check_admin_email(email, f"{prefix}email") if email is not None else "",
    )
