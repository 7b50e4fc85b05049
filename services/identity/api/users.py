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
    set_end_dates,
    update_user,
)
from services.identity.domain.errors import invalid, not_found
from services.identity.domain.user_profile import ProfileDraft, today_in

SEARCH_MAX = 120
PAGE_MAX = 200
_TEXT = msgspec.Meta(max_length=1000)  # far above every U1 limit: only bounds the payload
_LIST = msgspec.Meta(max_length=1000)


class Hours(msgspec.Struct, frozen=True, kw_only=True):
    start: Annotated[str, _TEXT]
    """``H:MM`` or ``HH:MM``, 00:00–23:30."""
    end: Annotated[str, _TEXT]
    """``H:MM`` or ``HH:MM``, 00:30–24:00; before ``start`` crosses midnight."""


class UserFields(msgspec.Struct, frozen=True, kw_only=True):
    """Everything of a user an admin types, but the account (U1)."""

    family_name: Annotated[str, _TEXT]
    given_name: Annotated[str, _TEXT] = ""
    email: Annotated[str, _TEXT]
    valid_from: Annotated[str, _TEXT]
    """``yyyy-mm-dd`` (also ``yyyy/mm/dd``, ``yyyy/m/d``)."""
    valid_until: Annotated[str, _TEXT]
    macs: Annotated[list[Annotated[str, _TEXT]], _LIST] = []
    terminals: Annotated[list[Annotated[str, _TEXT]], _LIST] = []
    """Terminal ids of the facility."""
    hours: Hours | None = None
    """None: 常に許可."""
    file_share: Annotated[str, _TEXT] = "deny"
    """always | approval | deny."""
    federation_targets: Annotated[list[Annotated[str, _TEXT]], _LIST] = []


class UserCreate(UserFields, frozen=True, kw_only=True):
    name: Annotated[str, _TEXT]
    """The account's name part; the account is ``<code>-<name>@<domain>``."""


class UserUpdate(UserFields, frozen=True, kw_only=True):
    version: int
    """The version the form was read at (U4: a stale one is refused with 409)."""
    reset_password: bool = False
    reset_mfa: bool = False


class TerminalRef(msgspec.Struct, frozen=True, kw_only=True):
    terminal_id: str
    name: str


class UserOut(msgspec.Struct, frozen=True, kw_only=True):
    """A row of 「ユーザー一覧」 and the content of 「ユーザー編集」 (U3, U4).

    The schema of what the row's entry renders (migration 0006): the list answers with the
    entries as they are, the form decodes one into this.
    """

    user_id: str
    account: str
    name: str
    family_name: str
    given_name: str
    display_name: str
    """「ユーザー名」: ``姓 名``."""
    email: str
    valid_from: date
    valid_until: date
    expired: bool
    """「失効」: today (facility time zone) is outside the validity days."""
    macs: list[str]
    terminals: list[TerminalRef]
    hours: Hours | None
    file_share: str
    file_share_label: str
    federation_targets: list[str]
    version: int


class UserPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[UserOut]
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; None on the last page."""


class UserCreatedOut(msgspec.Struct, frozen=True, kw_only=True):
    """「ユーザー登録完了」 (U2): shown once, never readable again."""

    user: UserOut
    account: str
    initial_password: str
    second_password: str
    consistency_token: str


class UserSavedOut(msgspec.Struct, frozen=True, kw_only=True):
    user: UserOut
    consistency_token: str | None
    """None when nothing changed."""
    initial_password: str | None = None
    """Only when ``reset_password`` was asked: the new initial password, shown once."""


class PasswordResetOut(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    initial_password: str
    consistency_token: str


class CommandOut(msgspec.Struct, frozen=True, kw_only=True):
    consistency_token: str | None


class EndDateIn(msgspec.Struct, frozen=True, kw_only=True):
    """「有効終了日一括登録」 (U7): the checked users and one date."""

    user_ids: Annotated[list[Annotated[str, _TEXT]], msgspec.Meta(max_length=10_000)]
    valid_until: Annotated[str, _TEXT]


class EndDateItem(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    account: str | None
    ok: bool
    code: str | None = None
    message: str | None = None


class EndDateOut(msgspec.Struct, frozen=True, kw_only=True):
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
            ),
            uow(),
            claims.actor,
            clock(),
        )
        return UserSavedOut(
            user=await view_of(facility, user_id),
            consistency_token=outcome.last_event_id,
            initial_password=outcome.issued.password if outcome.issued else None,
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

    return [list_users, create, end_date, read, update, password_reset, mfa_reset, remove]
