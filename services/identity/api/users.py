"""Users routes of identity's internal API (SPEC U1–U5, U7); the gateway exposes them.

Callers are admins of the facility in the path, or operators; another facility's users
answer 404 exactly like missing ones (T3). Secrets (initial passwords, second passwords)
appear only in the reply of the command that issued them.
"""

import base64
from typing import Annotated, Any, Literal

import asyncpg
import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.enums import MediaType
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.events.clock import Clock
from libs.runtime.internal_auth import Caller
from services.identity.adapters.postgres import Facility
from services.identity.adapters.user_reads import Entry, Search, Sort, load_user_out, search_users
from services.identity.api.guards import facility_admins
from services.identity.api.provided import Db, Hashing, InFacility, Now, UsersWork
from services.identity.app.user_batches import set_end_dates
from services.identity.app.user_writes import Outcome
from services.identity.app.users import (
    CreateUser,
    UpdateUser,
    create_user,
    delete_user,
    reset_user_mfa,
    reset_user_password,
    reset_user_second_password,
    update_user,
)
from services.identity.contract.paths import USERS_PATH
from services.identity.contract.users import (
    CommandOut,
    EndDateIn,
    EndDateItem,
    EndDateOut,
    PasswordResetOut,
    SecondPasswordResetOut,
    UserCreate,
    UserCreatedOut,
    UserFields,
    UserOut,
    UserPage,
    UserSavedOut,
    UserUpdate,
)
from services.identity.domain.errors import invalid, not_found
from services.identity.domain.user_profile import ProfileDraft, today_in

SEARCH_MAX = 120
PAGE_MAX = 200


def draft_of(data: UserFields) -> ProfileDraft:
    """The profile a create or edit form sends, as the use cases take it."""
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


async def view_of(db: asyncpg.Pool, facility: Facility, user_id: str, clock: Clock) -> UserOut:
    """The user as the list and the form show it; 404 ``user_not_found`` if there is none."""
    today = today_in(facility.time_zone, clock())
    async with db.acquire() as conn:
        user = await load_user_out(conn, facility.facility_id, user_id, today)
    if user is None:
        raise not_found("user_not_found")
    return user


def page_body(entries: list[Entry], limit: int, sort: Sort, descending: bool) -> bytes:
    """The page's JSON: the first ``limit`` entries as the rows keep them, and the cursor of
    the next page when there is one (``entries`` holds one more row than the page)."""
    page = entries[:limit]
    more = len(entries) > limit
    next_cursor = encode_cursor(sort, descending, page[-1].sort_keys(sort)) if more else None
    return b"".join((
        b'{"items":[',
        b",".join(entry.json for entry in page),
        b'],"next_cursor":',
        msgspec.json.encode(next_cursor),
        b"}",
    ))  # fmt: skip


class UsersController(Controller):
    """List, create, read, edit, reset, delete users and set end dates in bulk."""

    path = USERS_PATH
    guards = (facility_admins,)

    @get(operation_id="listUsers")
    async def list_users(
        self,
        facility: InFacility,
        db: Db,
        clock: Now,
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
        async with db.acquire() as conn:
            entries = await search_users(conn, facility.facility_id, search)
        body = page_body(entries, limit, sort, descending)
        answer: Response[Any] = Response(content=body, media_type=MediaType.JSON)
        return answer

    @post(operation_id="createUser", status_code=201)
    async def create(
        self,
        data: JSONBody[UserCreate],
        claims: Caller,
        facility: InFacility,
        uow: UsersWork,
        passwords: Hashing,
        db: Db,
        clock: Now,
    ) -> UserCreatedOut:
        """「新規」→「登録」: the account, initial password and second password, once (U2)."""
        outcome = await create_user(
            CreateUser(
                facility_code=facility.code,
                name=data.name,
                profile=draft_of(data),
                terminals=data.terminals,
            ),
            uow,
            passwords,
            claims.actor,
            clock(),
        )
        assert outcome.after is not None and outcome.issued is not None
        assert outcome.last_event_id is not None
        return UserCreatedOut(
            user=await view_of(db, facility, outcome.after.user_id, clock),
            account=outcome.after.account,
            initial_password=outcome.issued.password,
            second_password=outcome.issued.second_password,
            consistency_token=outcome.last_event_id,
        )

    @post("/end-date", operation_id="setUsersEndDate", status_code=200)
    async def end_date(
        self,
        data: JSONBody[EndDateIn],
        claims: Caller,
        facility: InFacility,
        uow: UsersWork,
        clock: Now,
    ) -> EndDateOut:
        """「有効終了日一括登録」: per-user results; later starts are refused one by one (U7)."""
        done = await set_end_dates(
            facility.code, data.user_ids, data.valid_until, uow, claims.actor, clock()
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

    @get("/{user_id:str}", operation_id="getUser")
    async def read(
        self,
        user_id: FromPath[str],
        facility: InFacility,
        db: Db,
        clock: Now,
    ) -> UserOut:
        return await view_of(db, facility, user_id, clock)

    @put("/{user_id:str}", operation_id="updateUser")
    async def update(
        self,
        user_id: FromPath[str],
        data: JSONBody[UserUpdate],
        claims: Caller,
        facility: InFacility,
        uow: UsersWork,
        passwords: Hashing,
        db: Db,
        clock: Now,
    ) -> UserSavedOut:
        """「ユーザー編集」→「登録」 at the version read; 409 ``version_conflict`` if stale (U4)."""
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
            uow,
            passwords,
            claims.actor,
            clock(),
        )
        issued = outcome.issued
        return UserSavedOut(
            user=await view_of(db, facility, user_id, clock),
            consistency_token=outcome.last_event_id,
            initial_password=(issued.password or None) if issued else None,
            second_password=(issued.second_password or None) if issued else None,
        )

    @post("/{user_id:str}/password-reset", operation_id="resetUserPassword", status_code=200)
    async def password_reset(
        self,
        user_id: FromPath[str],
        claims: Caller,
        facility: InFacility,
        uow: UsersWork,
        passwords: Hashing,
    ) -> PasswordResetOut:
        """「パスワードをリセットする」: a new initial password, shown once (U4)."""
        outcome = await reset_user_password(facility.code, user_id, uow, passwords, claims.actor)
        assert outcome.after is not None and outcome.issued is not None
        assert outcome.last_event_id is not None
        return PasswordResetOut(
            account=outcome.after.account,
            initial_password=outcome.issued.password,
            consistency_token=outcome.last_event_id,
        )

    @post(
        "/{user_id:str}/second-password-reset",
        operation_id="resetUserSecondPassword",
        status_code=200,
    )
    async def second_password_reset(
        self,
        user_id: FromPath[str],
        claims: Caller,
        facility: InFacility,
        uow: UsersWork,
        passwords: Hashing,
    ) -> SecondPasswordResetOut:
        """「第二パスワードをリセットする」: a new second password, shown once."""
        outcome = await reset_user_second_password(
            facility.code, user_id, uow, passwords, claims.actor
        )
        assert outcome.after is not None and outcome.issued is not None
        assert outcome.last_event_id is not None
        return SecondPasswordResetOut(
            account=outcome.after.account,
            second_password=outcome.issued.second_password,
            consistency_token=outcome.last_event_id,
        )

    @post("/{user_id:str}/mfa-reset", operation_id="resetUserMfa", status_code=200)
    async def mfa_reset(
        self,
        user_id: FromPath[str],
        claims: Caller,
        facility: InFacility,
        uow: UsersWork,
    ) -> CommandOut:
        """「多要素認証情報をリセットする」 (U4)."""
        outcome = await reset_user_mfa(facility.code, user_id, uow, claims.actor)
        return CommandOut(consistency_token=outcome.last_event_id)

    @delete("/{user_id:str}", operation_id="deleteUser", status_code=200)
    async def remove(
        self,
        user_id: FromPath[str],
        claims: Caller,
        facility: InFacility,
        uow: UsersWork,
    ) -> CommandOut:
        """「ユーザー削除」: cannot be undone; admins cannot be deleted (U5)."""
        outcome = await delete_user(facility.code, user_id, uow, claims.actor)
        return CommandOut(consistency_token=outcome.last_event_id)
