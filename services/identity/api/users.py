"""Users routes of identity's internal API (SPEC U1–U5, U7); the gateway exposes them.

Callers are admins of the facility in the path, or operators; another facility's users
answer 404 exactly like missing ones (T3). Secrets (initial passwords, second passwords)
appear only in the reply of the command that issued them.
"""

import base64
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, delete, get, post, put
from litestar.enums import MediaType
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.events.clock import Clock, system_clock
from libs.runtime.backbone import Backbone
from libs.runtime.internal_auth import Caller
from services.identity.adapters.postgres import Facility, PostgresUnitOfWork
from services.identity.adapters.user_reads import Search, load_user_out, search_users
from services.identity.api.facility_scope import FacilityScope
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
    base = USERS_PATH
    scoped_facility = FacilityScope(backbone)

    def uow() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(backbone.pool, backbone.committed)

    async def view_of(facility: Facility, user_id: str) -> UserOut:
        today = today_in(facility.time_zone, clock())
        async with backbone.pool.acquire() as conn:
            user = await load_user_out(conn, facility.facility_id, user_id, today)
        if user is None:
            raise not_found("user_not_found")
        return user

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
