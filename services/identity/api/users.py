"""Users routes of identity's internal API (SPEC U1–U5, U7); the gateway exposes them.

Callers are admins of the facility in the path, or operators; another facility's users
answer 404 exactly like missing ones (T3). Secrets (initial passwords, second passwords)
appear only in the reply of the command that issued them.
"""

import base64
from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, delete, get, post, put
from litestar.enums import MediaType
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.backbone import Backbone
from libs.runtime.documented import documented
from libs.runtime.internal_auth import Caller
from services.identity.adapters.postgres import Facility, PostgresUnitOfWork
from services.identity.adapters.user_reads import Search, load_entry, search_users
from services.identity.api.facility_scope import FacilityScope
from services.identity.app.signin import Clock, system_clock
from services.identity.app.users import (
    CreateUser,
    Outcome,
    UpdateUser,
    create_user,
    delete_user,
    reset_user_mfa,
    reset_user_password,
    reset_user_second_password,
    set_end_dates,
    update_user,
)
from services.identity.contract import (
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
from services.identity.domain.errors import invalid, not_found
from services.identity.domain.user_profile import ProfileDraft, today_in

SEARCH_MAX = 120
PAGE_MAX = 200
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


def draft_of(data: UserFields) -> ProfileDraft:
    return ProfileDraft(
        family_name=data.family_name,
        given_name=data.given_name,
        email=data.email,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        macs=data.macs,
        hours_start=data.hours.start if data.hours else "",
        hours_end=data.hours.end if data.hours else "",
        file_share=data.file_share,
        federation_targets=data.federation_targets,
    )


def encode_cursor(sort: str, descending: bool, keys: tuple[str, ...]) -> str:
    """An opaque token for the page after the row whose sort keys are ``keys``."""
    raw = msgspec.json.encode([sort, descending, list(keys)])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(token: str, sort: str, descending: bool) -> tuple[str, ...]:
    """The keys in ``token``; 400 ``cursor_invalid`` if it is not one of ours for this order."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        got_sort, got_descending, keys = msgspec.json.decode(raw, type=tuple[str, bool, list[str]])
    except (ValueError, msgspec.DecodeError) as error:
        raise invalid("cursor", "cursor_invalid") from error
    if (
        (got_sort, got_descending) != (sort, descending)
        or len(keys) != (1 if sort == "account" else 2)
        or any("\x00" in key for key in keys)  # not one of ours: no stored key holds NUL
    ):
        raise invalid("cursor", "cursor_invalid")
    return tuple(keys)


def user_routes(backbone: Backbone, clock: Clock = system_clock) -> list[HTTPRouteHandler]:
    """List, create, read, edit, reset, delete users and set end dates in bulk."""
    base = "/internal/v1/facilities/{code:str}/users"
    scoped_facility = FacilityScope(backbone)

    def uow() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(backbone.pool, backbone.committed)

    async def view_of(facility: Facility, user_id: str) -> UserOut:
        today = today_in(facility.time_zone, clock())
        async with backbone.pool.acquire() as conn:
            entry = await load_entry(conn, facility.facility_id, user_id, today)
        if entry is None:
            raise not_found("user_not_found")
        return msgspec.json.decode(entry.json, type=UserOut)

    @get(base, operation_id="listUsers")
    async def list_users(
        code: FromPath[str],
        claims: Caller,
        account: Annotated[str, QueryParameter()] = "",
        name: Annotated[str, QueryParameter()] = "",
        email: Annotated[str, QueryParameter()] = "",
        sort: Annotated[Literal["account", "name"], QueryParameter()] = "account",
        order: Annotated[Literal["asc", "desc"], QueryParameter()] = "asc",
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX)] = 50,
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> Response[UserPage]:
        """「ユーザー一覧」 with 「検索条件」 (partial, any case), sorted, one page (U3).

        The users' entries go out as the rows keep them, joined into the page's JSON."""
        facility = await scoped_facility(claims, code)
        terms = {"account": account.strip(), "name": name.strip(), "email": email.strip()}
        for field, term in terms.items():
            if len(term) > SEARCH_MAX or "\x00" in term:  # PostgreSQL text holds no NUL
                raise invalid(field, "search_invalid")
        descending = order == "desc"
        after = decode_cursor(cursor, sort, descending) if cursor else None
        search = Search(
            today=today_in(facility.time_zone, clock()),
            **terms,
            sort=sort,
            descending=descending,
            after=after,
            limit=limit + 1,
        )
        async with backbone.pool.acquire() as conn:
            entries = await search_users(conn, facility.facility_id, search)
        page = entries[:limit]
        more = len(entries) > limit
        next_cursor = encode_cursor(sort, descending, page[-1].sort_keys(sort)) if more else None
        body = b"".join((
            b'{"items":[',
            b",".join(entry.json for entry in page),
            b'],"next_cursor":',
            msgspec.json.encode(next_cursor),
            b"}",
        ))  # fmt: skip
        answer: Response[Any] = Response(content=body, media_type=MediaType.JSON)
        return answer

    @post(base, operation_id="createUser", status_code=201)
    async def create(
        code: FromPath[str], data: JSONBody[UserCreate], claims: Caller
    ) -> UserCreatedOut:
        """「新規」→「登録」: the account, initial password and second password, once (U2)."""
        facility = await scoped_facility(claims, code)
        outcome = await create_user(
            CreateUser(
                facility_code=facility.code,
                name=data.name,
                profile=draft_of(data),
                terminals=data.terminals,
            ),
            uow(),
            claims.actor,
            clock(),
        )
        assert outcome.after is not None and outcome.issued is not None
        assert outcome.last_event_id is not None
        return UserCreatedOut(
            user=await view_of(facility, outcome.after.user_id),
            account=outcome.after.account,
            initial_password=outcome.issued.password,
            second_password=outcome.issued.second_password,
            consistency_token=outcome.last_event_id,
        )

    @post(f"{base}/end-date", operation_id="setUsersEndDate", status_code=200)
    async def end_date(
        code: FromPath[str], data: JSONBody[EndDateIn], claims: Caller
    ) -> EndDateOut:
        """「有効終了日一括登録」: per-user results; later starts are refused one by one (U7)."""
        facility = await scoped_facility(claims, code)
        done = await set_end_dates(
            facility.code, data.user_ids, data.valid_until, uow(), claims.actor, clock()
        )
        return EndDateOut(
            results=[
                EndDateItem(
                    user_id=r.user_id,
                    account=r.account,
                    ok=r.code is None,
                    code=r.code,
                    message=r.message,
                )
                for r in done.results
            ],
            consistency_token=done.last_event_id,
        )

    @get(f"{base}/{{user_id:str}}", operation_id="getUser")
    async def read(code: FromPath[str], user_id: FromPath[str], claims: Caller) -> UserOut:
        facility = await scoped_facility(claims, code)
        return await view_of(facility, user_id)

    @put(f"{base}/{{user_id:str}}", operation_id="updateUser")
    async def update(
        code: FromPath[str], user_id: FromPath[str], data: JSONBody[UserUpdate], claims: Caller
    ) -> UserSavedOut:
        """「ユーザー編集」→「登録」 at the version read; 409 ``version_conflict`` if stale (U4)."""
        facility = await scoped_facility(claims, code)
        outcome: Outcome = await update_user(
            UpdateUser(
                facility_code=facility.code,
                user_id=user_id,
                version=data.version,
                profile=draft_of(data),
                terminals=data.terminals,
                reset_password=data.reset_password,
                reset_mfa=data.reset_mfa,
                reset_second_password=data.reset_second_password,
            ),
            uow(),
            claims.actor,
            clock(),
        )
        return UserSavedOut(
            user=await view_of(facility, user_id),
            consistency_token=outcome.last_event_id,
            initial_password=(outcome.issued.password or None) if outcome.issued else None,
            second_password=(outcome.issued.second_password or None) if outcome.issued else None,
        )

    @post(
        f"{base}/{{user_id:str}}/password-reset", operation_id="resetUserPassword", status_code=200
    )
    async def password_reset(
        code: FromPath[str], user_id: FromPath[str], claims: Caller
    ) -> PasswordResetOut:
        """「パスワードをリセットする」: a new initial password, shown once (U4)."""
        facility = await scoped_facility(claims, code)
        outcome = await reset_user_password(facility.code, user_id, uow(), claims.actor)
        assert outcome.after is not None and outcome.issued is not None
        assert outcome.last_event_id is not None
        return PasswordResetOut(
            account=outcome.after.account,
            initial_password=outcome.issued.password,
            consistency_token=outcome.last_event_id,
        )

    @post(
        f"{base}/{{user_id:str}}/second-password-reset",
        operation_id="resetUserSecondPassword",
        status_code=200,
    )
    async def second_password_reset(
        code: FromPath[str], user_id: FromPath[str], claims: Caller
    ) -> SecondPasswordResetOut:
        """「第二パスワードをリセットする」: a new second password, shown once."""
        facility = await scoped_facility(claims, code)
        outcome = await reset_user_second_password(facility.code, user_id, uow(), claims.actor)
        assert outcome.after is not None and outcome.issued is not None
        assert outcome.last_event_id is not None
        return SecondPasswordResetOut(
            account=outcome.after.account,
            second_password=outcome.issued.second_password,
            consistency_token=outcome.last_event_id,
        )

    @post(f"{base}/{{user_id:str}}/mfa-reset", operation_id="resetUserMfa", status_code=200)
    async def mfa_reset(code: FromPath[str], user_id: FromPath[str], claims: Caller) -> CommandOut:
        """「多要素認証情報をリセットする」 (U4)."""
        facility = await scoped_facility(claims, code)
        outcome = await reset_user_mfa(facility.code, user_id, uow(), claims.actor)
        return CommandOut(consistency_token=outcome.last_event_id)

    @delete(f"{base}/{{user_id:str}}", operation_id="deleteUser", status_code=200)
    async def remove(code: FromPath[str], user_id: FromPath[str], claims: Caller) -> CommandOut:
        """「ユーザー削除」: cannot be undone; admins cannot be deleted (U5)."""
        facility = await scoped_facility(claims, code)
        outcome = await delete_user(facility.code, user_id, uow(), claims.actor)
        return CommandOut(consistency_token=outcome.last_event_id)

    return [
        list_users,
        create,
        end_date,
        read,
        update,
        password_reset,
        second_password_reset,
        mfa_reset,
        remove,
    ]
