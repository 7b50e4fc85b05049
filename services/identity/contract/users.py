"""identity's user wire types (SPEC U1–U5, U7): what ``/internal/v1/facilities/{code}/users``
takes and answers, and the gateway's admin API passes on as they are."""

from datetime import date
from typing import Annotated, Literal

import msgspec

from libs.runtime.documented import documented
from services.identity.contract.limits import (
    ACCOUNT_NAME_MAX,
    ACCOUNT_NAME_PATTERN,
    DATE_PATTERN,
    FILE_SHARE_CODES,
    HOURS_END_PATTERN,
    HOURS_START_PATTERN,
    MAC_PATTERN,
    USER_EMAIL_MAX,
    USER_MACS_MAX,
    USER_NAME_MAX,
)

_WIRE = msgspec.Meta(max_length=1000)
"""What the decoder bounds: the payload only. The rules (U1) are the domain's, which names
every problem of a form at once in Japanese; the document states them (documented)."""


_WIRE_LIST = msgspec.Meta(max_length=1000)


_DATE = documented(
    "``yyyy-mm-dd`` (also ``yyyy/mm/dd``, ``yyyy/m/d``), facility time zone.",
    pattern=DATE_PATTERN,
    max_length=10,
)


class Hours(msgspec.Struct, frozen=True, kw_only=True):
    """「接続利用可能時間」 other than 「常に許可」: wall-clock times in the facility's time zone."""

    start: Annotated[
        str,
        _WIRE,
        documented(
            "開始時間: ``H:MM`` or ``HH:MM``, 00:00–23:30 on 30-minute steps.",
            pattern=HOURS_START_PATTERN,
            max_length=5,
        ),
    ]
    end: Annotated[
        str,
        _WIRE,
        documented(
            "終了時間: 00:30–24:00 on 30-minute steps, not ``start``; before ``start`` the "
            "window crosses midnight.",
            pattern=HOURS_END_PATTERN,
            max_length=5,
        ),
    ]


class UserFields(msgspec.Struct, frozen=True, kw_only=True):
    """Everything of a user an admin types, but the account (U1). Every rule a value
    breaks comes back at once in the 400 answer's ``errors``, one per field."""

    family_name: Annotated[
        str,
        _WIRE,
        documented(
            f"姓: required; with 名 at most {USER_NAME_MAX} characters together; printable.",
            min_length=1,
            max_length=USER_NAME_MAX,
        ),
    ]
    given_name: Annotated[
        str,
        _WIRE,
        documented(
            f"名: optional; with 姓 at most {USER_NAME_MAX} characters together.",
            max_length=USER_NAME_MAX,
        ),
    ] = ""
    email: Annotated[
        str,
        _WIRE,
        documented(
            f"「メールアドレス」: required, a valid address, at most {USER_EMAIL_MAX} characters; "
            "several users may share one.",
            min_length=3,
            max_length=USER_EMAIL_MAX,
        ),
    ]
    valid_from: Annotated[str, _WIRE, _DATE]
    valid_until: Annotated[
        str,
        _WIRE,
        documented(
            "「有効終了日」: not before ``valid_from``, at most today + 2 years; same formats.",
            pattern=DATE_PATTERN,
            max_length=10,
        ),
    ]
    macs: Annotated[
        list[Annotated[str, _WIRE]],
        _WIRE_LIST,
        documented(
            f"「MACアドレス」: 0–{USER_MACS_MAX}, ``AA-BB-CC-DD-EE-FF``, ``AA:BB:CC:DD:EE:FF`` "
            "or ``AABBCCDDEEFF``, any case, no repeats; answered as ``AA:BB:CC:DD:EE:FF``.",
            max_items=USER_MACS_MAX,
            items={"type": "string", "pattern": MAC_PATTERN, "maxLength": 17},
        ),
    ] = []
    terminals: Annotated[
        list[Annotated[str, _WIRE]],
        _WIRE_LIST,
        documented(
            "「接続端末」: the ``terminal_id`` of each terminal of the facility the user may "
            "connect through (``GET …/terminals``); the complete list, not a change.",
            items={"type": "string", "format": "uuid"},
        ),
    ] = []
    hours: Hours | None = None
    """「接続利用可能時間」: null is 「常に許可」."""
    file_share: Annotated[
        str,
        _WIRE,
        documented(
            "「ファイル共有権限」: ``always`` 「常に許可」, ``approval`` 「承認後に許可」, "
            "``deny`` 「拒否」.",
            enum=list(FILE_SHARE_CODES),
            max_length=max(map(len, FILE_SHARE_CODES)),
        ),
    ] = "deny"
    federation_targets: Annotated[
        list[Annotated[str, _WIRE]],
        _WIRE_LIST,
        documented(
            "「認証連携先」: names from the facility's catalogue of federation targets.",
            items={"type": "string"},
        ),
    ] = []


class UserCreate(UserFields, frozen=True, kw_only=True):
    name: Annotated[
        str,
        _WIRE,
        documented(
            f"「アカウント」's name part: 1–{ACCOUNT_NAME_MAX} of ``A-Z a-z 0-9 . _ -``, "
            "alphanumeric at both ends, unique ignoring case; the account is "
            "``<code>-<name>@<domain>`` and never changes.",
            min_length=1,
            max_length=ACCOUNT_NAME_MAX,
            pattern=ACCOUNT_NAME_PATTERN,
        ),
    ]


class UserUpdate(UserFields, frozen=True, kw_only=True):
    version: int
    """The user's ``version`` the form was read at (U4: a stale one is refused with 409
    ``version_conflict``; reload and edit again)."""
    reset_password: bool = False
    """Also issue a new initial password (answered once as ``initial_password``)."""
    reset_mfa: bool = False
    """Also unbind the authenticator (the user enrols again at the next sign-in)."""
    reset_second_password: bool = False
    """Also issue a new second password (answered once as ``second_password``); the old
    one stops working at once."""


class TerminalRef(msgspec.Struct, frozen=True, kw_only=True):
    """A terminal the user may connect through."""

    terminal_id: str
    name: str
    """接続端末名, ``<code>-<name part>``."""


class UserOut(msgspec.Struct, frozen=True, kw_only=True):
    """A row of 「ユーザー一覧」 and the content of 「ユーザー編集」 (U3, U4).

    The schema of what the row's entry renders (migration 0006): the list answers with the
    entries as they are, the form decodes one into this.
    """

    user_id: str
    account: str
    """「アカウント」, the full account ``<code>-<name>@<domain>``."""
    name: str
    """The account's name part (what the admin typed)."""
    family_name: str
    """姓."""
    given_name: str
    """名 (may be empty)."""
    display_name: str
    """「ユーザー名」: ``姓 名``."""
    email: str
    """「メールアドレス」."""
    valid_from: date
    """「有効開始日」."""
    valid_until: date
    """「有効終了日」."""
    expired: bool
    """「失効」: today (facility time zone) is outside the validity days."""
    macs: list[str]
    """「MACアドレス」, ``AA:BB:CC:DD:EE:FF`` (the list shows ``---`` when empty)."""
    terminals: list[TerminalRef]
    """「接続端末」, by name."""
    hours: Hours | None
    """開始時間 and 終了時間 as ``HH:MM``; null is 「常に許可」 (the list shows ``--:--``)."""
    file_share: Literal["always", "approval", "deny"]
    """「ファイル共有権限」's code; ``file_share_label`` is its label."""
    file_share_label: str
    """「常に許可」, 「承認後に許可」 or 「拒否」."""
    federation_targets: list[str]
    """「認証連携先」."""
    version: int
    """Send back as ``version`` when saving 「ユーザー編集」 (U4)."""


class UserPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of 「ユーザー一覧」, in the order asked."""

    items: list[UserOut]
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; None on the last page."""


class UserCreatedOut(msgspec.Struct, frozen=True, kw_only=True):
    """「ユーザー登録完了」 (U2): shown once, never readable again."""

    user: UserOut
    account: str
    """「アカウント」."""
    initial_password: str
    """「初期パスワード」: changed at the first sign-in."""
    second_password: str
    """「第二パスワード」."""
    consistency_token: str
    """Send as ``X-Fumidai-Consistency`` so the next read sees this change."""


class UserSavedOut(msgspec.Struct, frozen=True, kw_only=True):
    """「ユーザー編集」 saved: the user as it is now."""

    user: UserOut
    consistency_token: str | None
    """None when nothing changed."""
    initial_password: str | None = None
    """Only when ``reset_password`` was asked: the new initial password, shown once."""
    second_password: str | None = None
    """Only when ``reset_second_password`` was asked: the new second password, shown once."""


class PasswordResetOut(msgspec.Struct, frozen=True, kw_only=True):
    """「パスワードをリセットする」: shown once."""

    account: str
    initial_password: str
    """The new initial password; the user must change it at the next sign-in."""
    consistency_token: str


class SecondPasswordResetOut(msgspec.Struct, frozen=True, kw_only=True):
    """「第二パスワードをリセットする」: shown once."""

    account: str
    second_password: str
    """The new second password (F7: file sharing needs it); the old one no longer works."""
    consistency_token: str


class CommandOut(msgspec.Struct, frozen=True, kw_only=True):
    """A command done."""

    consistency_token: str | None
    """Send as ``X-Fumidai-Consistency`` so the next read sees it; null when nothing
    changed."""


class EndDateIn(msgspec.Struct, frozen=True, kw_only=True):
    """「有効終了日一括登録」 (U7): the checked users and one date."""

    user_ids: Annotated[list[Annotated[str, _WIRE]], msgspec.Meta(max_length=10_000)]
    """The ``user_id`` of each checked user."""
    valid_until: Annotated[
        str,
        _WIRE,
        documented(
            "「有効終了日」 for all of them: at most today + 2 years; a user whose start is "
            "later gets its own error in ``results``.",
            pattern=DATE_PATTERN,
            max_length=10,
        ),
    ]


class EndDateItem(msgspec.Struct, frozen=True, kw_only=True):
    """One checked user's result."""

    user_id: str
    account: str | None
    """Null for a user not found."""
    ok: bool
    code: str | None = None
    """Why not, when ``ok`` is false (stable code)."""
    message: str | None = None
    """Why not, in Japanese, to show beside the user."""


class EndDateOut(msgspec.Struct, frozen=True, kw_only=True):
    """「有効終了日一括登録」's results, one per checked user, in the order sent."""

    results: list[EndDateItem]
    consistency_token: str | None
