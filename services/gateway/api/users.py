"""``/api/v1/facilities/{code}/users``: 「ユーザー一覧」, 登録, 編集, 削除, resets (password,
second password, MFA) and 「有効終了日一括登録」 (SPEC U1–U5, U7), relayed to identity,
which owns users.

identity's answers already carry what the screens show, terminal names included (its
projection of terminals' catalogue), so the user list is one call here as well.
"""

from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.paths import fill
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY
from services.gateway.api.dependencies import ADMIN_CALLS, Relaying
from services.gateway.api.guards import admin_of_path_facility
from services.gateway.api.ordered import OrderedController
from services.gateway.api.relay import seg
from services.identity.contract import (
    FEDERATION_TARGETS_PATH,
    USERS_PATH,
    CommandOut,
    EndDateIn,
    EndDateOut,
    FederationTargetList,
    PasswordResetOut,
    SecondPasswordResetOut,
    UserCreate,
    UserCreatedOut,
    UserOut,
    UserPage,
    UserSavedOut,
    UserUpdate,
)

TAGS = ["users"]


def upstream(code: str, rest: str = "") -> str:
    """identity's path of the facility's users, and ``rest`` under it."""
    return fill(USERS_PATH, code=code) + rest


class UsersController(OrderedController):
    """The users routes of the admin API."""

    path = ADMIN_BASE
    guards = (admin_of_path_facility,)
    dependencies = ADMIN_CALLS

    @get(
        "/users",
        operation_id="listUsers",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_users(
        self,
        relay: Relaying,
        code: FromPath[str],
        account: Annotated[str, QueryParameter(max_length=120)] = "",
        name: Annotated[str, QueryParameter(max_length=120)] = "",
        email: Annotated[str, QueryParameter(max_length=120)] = "",
        sort: Annotated[Literal["account", "name"], QueryParameter()] = "account",
        order: Annotated[Literal["asc", "desc"], QueryParameter()] = "asc",
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, QueryParameter(max_length=2000)] = None,
    ) -> Response[UserPage]:
        """「ユーザー一覧」: 「検索条件」 (partial, any case), sorted, one page (U3)."""
        params: dict[str, Any] = {
            "account": account,
            "name": name,
            "email": email,
            "sort": sort,
            "order": order,
            "limit": limit,
        }
        if cursor:
            params["cursor"] = cursor
        return await relay.call("identity", "GET", upstream(code), params=params)

    @get(
        "/federation-targets",
        operation_id="listFederationTargets",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_federation_targets(
        self, relay: Relaying, code: FromPath[str]
    ) -> Response[FederationTargetList]:
        """The facility's 「認証連携先」 (T1), retired ones marked: the user form offers the
        current ones, and shows a retired one only on a user who has it (U1). Operators
        change the catalogue (``./fumidai facility targets``); admins read it."""
        return await relay.call("identity", "GET", fill(FEDERATION_TARGETS_PATH, code=code))

    @post(
        "/users",
        operation_id="createUser",
        status_code=201,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def create_user(
        self, relay: Relaying, code: FromPath[str], data: JSONBody[UserCreate]
    ) -> Response[UserCreatedOut]:
        """「登録」 with its terminals in one call; the answer shows the initial password and
        second password this once (U2)."""
        return await relay.call("identity", "POST", upstream(code), json=msgspec.to_builtins(data))

    @post(
        "/users/end-date",
        operation_id="setUsersEndDate",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def set_end_date(
        self, relay: Relaying, code: FromPath[str], data: JSONBody[EndDateIn]
    ) -> Response[EndDateOut]:
        """「有効終了日一括登録」: one result per checked user (U7)."""
        return await relay.call(
            "identity", "POST", upstream(code, "/end-date"), json=msgspec.to_builtins(data)
        )

    @get(
        "/users/{user_id:str}",
        operation_id="getUser",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_user(
        self, relay: Relaying, code: FromPath[str], user_id: FromPath[str]
    ) -> Response[UserOut]:
        """「ユーザー編集」's content, with the version to save at (U4)."""
        return await relay.call("identity", "GET", upstream(code, f"/{seg(user_id)}"))

    @put(
        "/users/{user_id:str}",
        operation_id="updateUser",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def update_user(
        self,
        relay: Relaying,
        code: FromPath[str],
        user_id: FromPath[str],
        data: JSONBody[UserUpdate],
    ) -> Response[UserSavedOut]:
        """「ユーザー編集」→「登録」 at the version read; a stale one is 409 (U4)."""
        return await relay.call(
            "identity", "PUT", upstream(code, f"/{seg(user_id)}"), json=msgspec.to_builtins(data)
        )

    @delete(
        "/users/{user_id:str}",
        operation_id="deleteUser",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def delete_user(
        self, relay: Relaying, code: FromPath[str], user_id: FromPath[str]
    ) -> Response[CommandOut]:
        """「ユーザー削除」: cannot be undone; live sessions end (U5)."""
        return await relay.call("identity", "DELETE", upstream(code, f"/{seg(user_id)}"))

    @post(
        "/users/{user_id:str}/password-reset",
        operation_id="resetUserPassword",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def reset_password(
        self, relay: Relaying, code: FromPath[str], user_id: FromPath[str]
    ) -> Response[PasswordResetOut]:
        """「パスワードをリセットする」: a new initial password, shown once (U4)."""
        return await relay.call(
            "identity", "POST", upstream(code, f"/{seg(user_id)}/password-reset")
        )

    @post(
        "/users/{user_id:str}/second-password-reset",
        operation_id="resetUserSecondPassword",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def reset_second_password(
        self, relay: Relaying, code: FromPath[str], user_id: FromPath[str]
    ) -> Response[SecondPasswordResetOut]:
        """「第二パスワードをリセットする」: a new second password, shown once; the old one
        stops working at once, and a session's earlier check of it no longer counts (F7)."""
        return await relay.call(
            "identity", "POST", upstream(code, f"/{seg(user_id)}/second-password-reset")
        )

    @post(
        "/users/{user_id:str}/mfa-reset",
        operation_id="resetUserMfa",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def reset_mfa(
        self, relay: Relaying, code: FromPath[str], user_id: FromPath[str]
    ) -> Response[CommandOut]:
        """「多要素認証情報をリセットする」 (U4)."""
        return await relay.call("identity", "POST", upstream(code, f"/{seg(user_id)}/mfa-reset"))
