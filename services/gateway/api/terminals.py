"""``/api/v1/facilities/{code}/terminals`` and ``/sessions``: 接続端末 (SPEC K1–K4), agent
credentials, live sessions and 「強制切断」 (C4).

terminals owns the catalogue and sessions; identity owns assignments (they are user
events, DESIGN.md "Ownership"). 「新規」 and 「接続端末編集」 with their 「ユーザー選択」 are one
request here: the gateway creates or renames the terminal, then changes each selected
user's terminals in identity, passing the consistency token along so each step reads
the one before it.
"""

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.documented import documented
from libs.runtime.paths import fill
from libs.runtime.problems import DomainError
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY
from services.gateway.auth import Caller
from services.gateway.gateway_context import Gateway
from services.gateway.relay import consistency, relayed, seg
from services.identity.contract import TERMINAL_USERS_PATH
from services.terminals.contract import (
    FACILITY_PATH,
    TERMINAL_NAME_MAX,
    CredentialIssued,
    CredentialRevoked,
    CredentialView,
    ForceClosed,
    ForceCloseRequest,
    SessionView,
    TerminalDeletedOut,
    TerminalSummary,
    TerminalUser,
)

TAGS = ["terminals"]
_ID = msgspec.Meta(min_length=1, max_length=200)
_IDS = msgspec.Meta(max_length=10_000)


_NAME_WIRE = msgspec.Meta(max_length=1000)
"""The payload bound; terminals checks the rule and answers ``terminal_name_invalid``."""
_NAME_RULE = documented(
    f"接続端末名's name part: 1–{TERMINAL_NAME_MAX} printable characters (Japanese allowed), "
    "unique in the facility ignoring case; the full name is ``<code>-<name part>``.",
    min_length=1,
    max_length=TERMINAL_NAME_MAX,
)
_USER_IDS = documented(
    "「ユーザー選択」: the ``user_id`` of each checked user (admins cannot be chosen).",
    items={"type": "string", "format": "uuid"},
)


class TerminalCreateIn(msgspec.Struct, frozen=True, kw_only=True):
    """「新規」: the name part (the full name is ``<code>-<name>``) and 「ユーザー選択」."""

    name: Annotated[str, _NAME_WIRE, _NAME_RULE]
    user_ids: Annotated[list[Annotated[str, _ID]], _IDS, _USER_IDS] = []


class TerminalEditIn(msgspec.Struct, frozen=True, kw_only=True):
    """「接続端末編集」: a new name and/or the complete selection of users."""

    name: Annotated[str, _NAME_WIRE, _NAME_RULE] | None = None
    version: int | None = None
    """The terminal's version the admin edited (409 if it moved on)."""
    user_ids: Annotated[list[Annotated[str, _ID]], _IDS, _USER_IDS] | None = None
    """The users checked after the edit; None leaves assignments alone."""


class AssignmentResult(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    ok: bool
    code: str | None = None
    message: str | None = None


class TerminalSaved(msgspec.Struct, frozen=True, kw_only=True):
    terminal: TerminalSummary
    assignments: list[AssignmentResult]
    """One per user whose selection changed. A refused selection changes nobody: then one
    per user it named, each with the reason (the terminal itself is saved)."""
    consistency_token: str | None


def _failed(user_id: str, answer: Any) -> AssignmentResult:
    body = answer.json() if answer.content else {}
    return AssignmentResult(
        user_id=user_id, ok=False, code=body.get("code"), message=body.get("title")
    )


def terminal_routes(gw: Gateway) -> list[HTTPRouteHandler]:
    """Terminals, their users and agent credentials; live sessions and force close."""

    def upstream(code: str, rest: str) -> str:
        return fill(FACILITY_PATH, code=code) + rest

    async def call(
        request: Request[Any, Any, Any],
        code: str,
        method: str,
        rest: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Response[Any]:
        return await gw.as_admin_of(
            request, code, "terminals", method, upstream(code, rest), json=json, params=params
        )

    async def reassign(
        caller: Caller, code: str, terminal_id: str, user_ids: list[str], token: str | None
    ) -> tuple[list[AssignmentResult], str | None]:
        """Make ``user_ids`` exactly the users of ``terminal_id``: one command in identity,
        which owns assignments, all or nothing. A refusal is reported for every user the
        selection named, and nothing changed."""
        named = list(dict.fromkeys(user_ids))
        try:
            answer = await gw.upstreams.call(
                "identity",
                "PUT",
                fill(TERMINAL_USERS_PATH, code=code, terminal_id=terminal_id),
                caller.acting,
                json={"user_ids": user_ids},
                headers={"x-fumidai-consistency": token} if token else None,
            )
        except DomainError as unreachable:
            # The terminal is saved already: say so, and why its users are not (503 on
            # the whole request would invite a retry that the name now refuses).
            return [
                AssignmentResult(
                    user_id=user_id, ok=False, code=unreachable.code, message=unreachable.message
                )
                for user_id in named
            ], token
        if answer.status_code != 200:
            return [_failed(user_id, answer) for user_id in named], token
        body = answer.json()
        results = [AssignmentResult(user_id=c["user_id"], ok=True) for c in body["changed"]]
        return results, body.get("consistency_token") or token

    async def saved(
        caller: Caller,
        code: str,
        terminal_id: str,
        results: list[AssignmentResult],
        token: str | None,
    ) -> Response[Any]:
        headers = {"x-fumidai-consistency": token} if token else None
        read = await gw.upstreams.call(
            "terminals",
            "GET",
            upstream(code, f"/terminals/{seg(terminal_id)}"),
            caller.acting,
            headers=headers,
        )
        if read.status_code != 200:
            return relayed(read)
        out = TerminalSaved(
            terminal=msgspec.convert(read.json(), TerminalSummary),
            assignments=results,
            consistency_token=token,
        )
        return Response(out)

    @get(
        f"{ADMIN_BASE}/terminals",
        operation_id="listTerminals",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_terminals(
        request: Request[Any, Any, Any],
        code: FromPath[str],
        order: Annotated[Literal["asc", "desc"], QueryParameter()] = "asc",
    ) -> Response[list[TerminalSummary]]:
        """「接続端末一覧」: 接続端末名 and ユーザー数, sorted by name (K1)."""
        return await call(request, code, "GET", "/terminals", params={"order": order})

    @post(
        f"{ADMIN_BASE}/terminals",
        operation_id="createTerminal",
        status_code=201,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def create_terminal(
        request: Request[Any, Any, Any], code: FromPath[str], data: JSONBody[TerminalCreateIn]
    ) -> Response[TerminalSaved]:
        """「新規」→「登録」 with 「ユーザー選択」, one request (K2)."""
        caller = await gw.admin_of(request, code)
        created = await gw.upstreams.call(
            "terminals",
            "POST",
            upstream(code, "/terminals"),
            caller.acting,
            json={"name": data.name},
        )
        if created.status_code != 201:
            return relayed(created)
        body = created.json()
        terminal_id = body["terminal"]["terminal_id"]
        results, token = await reassign(
            caller, code, terminal_id, data.user_ids, body["consistency_token"]
        )
        response = await saved(caller, code, terminal_id, results, token)
        response.status_code = 201
        return response

    @get(
        f"{ADMIN_BASE}/terminals/users",
        operation_id="listTerminalUsers",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def terminal_users(
        request: Request[Any, Any, Any],
        code: FromPath[str],
        terminal_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        account: Annotated[str | None, QueryParameter(max_length=254)] = None,
    ) -> Response[list[TerminalUser]]:
        """「ユーザー選択」: the facility's users (admins never), checked when assigned (K2)."""
        params = {k: v for k, v in (("terminal_id", terminal_id), ("account", account)) if v}
        return await call(request, code, "GET", "/terminals/users", params=params)

    @get(
        f"{ADMIN_BASE}/terminals/{{terminal_id:str}}",
        operation_id="getTerminal",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_terminal(
        request: Request[Any, Any, Any], code: FromPath[str], terminal_id: FromPath[str]
    ) -> Response[TerminalSummary]:
        return await call(request, code, "GET", f"/terminals/{seg(terminal_id)}")

    @patch(
        f"{ADMIN_BASE}/terminals/{{terminal_id:str}}",
        operation_id="editTerminal",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def edit_terminal(
        request: Request[Any, Any, Any],
        code: FromPath[str],
        terminal_id: FromPath[str],
        data: JSONBody[TerminalEditIn],
    ) -> Response[TerminalSaved]:
        """「接続端末編集」: rename and check or uncheck users, one request (K3)."""
        caller = await gw.admin_of(request, code)
        token = consistency(request).get("x-fumidai-consistency")
        if data.name is not None:
            renamed = await gw.upstreams.call(
                "terminals",
                "PATCH",
                upstream(code, f"/terminals/{seg(terminal_id)}"),
                caller.acting,
                json={"name": data.name, "version": data.version},
            )
            if renamed.status_code != 200:
                return relayed(renamed)
            token = renamed.json().get("consistency_token") or token
        results: list[AssignmentResult] = []
        if data.user_ids is not None:
            results, token = await reassign(caller, code, terminal_id, data.user_ids, token)
        return await saved(caller, code, terminal_id, results, token)

    @delete(
        f"{ADMIN_BASE}/terminals/{{terminal_id:str}}",
        operation_id="deleteTerminal",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def delete_terminal(
        request: Request[Any, Any, Any],
        code: FromPath[str],
        terminal_id: FromPath[str],
        version: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> Response[TerminalDeletedOut]:
        """「接続端末削除」: assignments go, live sessions end (K4)."""
        params = {"version": version} if version is not None else None
        return await call(request, code, "DELETE", f"/terminals/{seg(terminal_id)}", params=params)

    @get(
        f"{ADMIN_BASE}/terminals/{{terminal_id:str}}/credentials",
        operation_id="listAgentCredentials",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_credentials(
        request: Request[Any, Any, Any], code: FromPath[str], terminal_id: FromPath[str]
    ) -> Response[list[CredentialView]]:
        return await call(request, code, "GET", f"/terminals/{seg(terminal_id)}/credentials")

    @post(
        f"{ADMIN_BASE}/terminals/{{terminal_id:str}}/credentials",
        operation_id="issueAgentCredential",
        status_code=201,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def issue_credential(
        request: Request[Any, Any, Any], code: FromPath[str], terminal_id: FromPath[str]
    ) -> Response[CredentialIssued]:
        """A credential for the terminal's agent; the token is shown this once."""
        return await call(request, code, "POST", f"/terminals/{seg(terminal_id)}/credentials")

    @delete(
        f"{ADMIN_BASE}/terminals/{{terminal_id:str}}/credentials/{{credential_id:str}}",
        operation_id="revokeAgentCredential",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def revoke_credential(
        request: Request[Any, Any, Any],
        code: FromPath[str],
        terminal_id: FromPath[str],
        credential_id: FromPath[str],
    ) -> Response[CredentialRevoked]:
        return await call(
            request,
            code,
            "DELETE",
            f"/terminals/{seg(terminal_id)}/credentials/{seg(credential_id)}",
        )

    @get(
        f"{ADMIN_BASE}/sessions",
        operation_id="listLiveSessions",
        tags=["sessions"],
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def live_sessions(
        request: Request[Any, Any, Any],
        code: FromPath[str],
        terminal_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> Response[list[SessionView]]:
        """The facility's 接続中 sessions, newest first; each offers 「強制切断」 (A6)."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if terminal_id:
            params["terminal_id"] = terminal_id
        return await call(request, code, "GET", "/sessions", params=params)

    @get(
        f"{ADMIN_BASE}/sessions/{{session_id:str}}",
        operation_id="getLiveSession",
        tags=["sessions"],
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_session(
        request: Request[Any, Any, Any], code: FromPath[str], session_id: FromPath[str]
    ) -> Response[SessionView]:
        return await call(request, code, "GET", f"/sessions/{seg(session_id)}")

    @post(
        f"{ADMIN_BASE}/sessions/{{session_id:str}}/force-close",
        operation_id="forceCloseSession",
        status_code=200,
        tags=["sessions"],
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def force_close(
        request: Request[Any, Any, Any],
        code: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[ForceCloseRequest],
    ) -> Response[ForceClosed]:
        """「強制切断」: the agent is ordered to cut it and acknowledges (C4)."""
        return await call(
            request,
            code,
            "POST",
            f"/sessions/{seg(session_id)}/force-close",
            json=msgspec.to_builtins(data),
        )

    return [
        list_terminals,
        create_terminal,
        terminal_users,
        get_terminal,
        edit_terminal,
        delete_terminal,
        list_credentials,
        issue_credential,
        revoke_credential,
        live_sessions,
        get_session,
        force_close,
    ]
