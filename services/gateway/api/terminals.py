"""``/api/v1/facilities/{code}/terminals``: 接続端末 (SPEC K1–K4) and agent credentials.

terminals owns the catalogue and sessions; identity owns assignments (they are user
events, DESIGN.md "Ownership"). 「新規」 and 「接続端末編集」 with their 「ユーザー選択」 are one
request here: the gateway creates or renames the terminal, then changes each selected
user's terminals in identity, passing the consistency token along so each step reads
the one before it.
"""

from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.documented import documented
from libs.runtime.paths import fill
from libs.runtime.problems import DomainError
from services.gateway.api.common import ADMIN_BASE, ADMIN_PROBLEMS, SESSION_SECURITY
from services.gateway.api.dependencies import ADMIN_CALLS, Relaying
from services.gateway.api.guards import admin_of_path_facility
from services.gateway.api.ordered import OrderedController
from services.gateway.api.relay import relayed, seg
from services.identity.contract import TERMINAL_USERS_PATH
from services.terminals.contract import (
    FACILITY_PATH,
    TERMINAL_NAME_MAX,
    CredentialIssued,
    CredentialRevoked,
    CredentialView,
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


def upstream(code: str, rest: str) -> str:
    """terminals' path of the facility, and ``rest`` under it."""
    return fill(FACILITY_PATH, code=code) + rest


async def reassign(
    relay: Relaying, code: str, terminal_id: str, user_ids: list[str], token: str | None
) -> tuple[list[AssignmentResult], str | None]:
    """Make ``user_ids`` exactly the users of ``terminal_id``: one command in identity,
    which owns assignments, all or nothing. A refusal is reported for every user the
    selection named, and nothing changed."""
    named = list(dict.fromkeys(user_ids))
    try:
        answer = await relay.ask(
            "identity",
            "PUT",
            fill(TERMINAL_USERS_PATH, code=code, terminal_id=terminal_id),
            json={"user_ids": user_ids},
            after=token,
            waits=False,
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
    relay: Relaying,
    code: str,
    terminal_id: str,
    results: list[AssignmentResult],
    token: str | None,
) -> Response[Any]:
    """The saved terminal as terminals reads it after ``token``, with the assignments."""
    path = upstream(code, f"/terminals/{seg(terminal_id)}")
    read = await relay.ask("terminals", "GET", path, after=token, waits=False)
    if read.status_code != 200:
        return relayed(read)
    out = TerminalSaved(
        terminal=msgspec.convert(read.json(), TerminalSummary),
        assignments=results,
        consistency_token=token,
    )
    return Response(out)


class TerminalsController(OrderedController):
    """Terminals, their users and agent credentials."""

    path = f"{ADMIN_BASE}/terminals"
    guards = (admin_of_path_facility,)
    dependencies = ADMIN_CALLS

    @get(
        "",
        operation_id="listTerminals",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_terminals(
        self,
        relay: Relaying,
        code: FromPath[str],
        order: Annotated[Literal["asc", "desc"], QueryParameter()] = "asc",
    ) -> Response[list[TerminalSummary]]:
        """「接続端末一覧」: 接続端末名 and ユーザー数, sorted by name (K1)."""
        path = upstream(code, "/terminals")
        return await relay.call("terminals", "GET", path, params={"order": order})

    @post(
        "",
        operation_id="createTerminal",
        status_code=201,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def create_terminal(
        self, relay: Relaying, code: FromPath[str], data: JSONBody[TerminalCreateIn]
    ) -> Response[TerminalSaved]:
        """「新規」→「登録」 with 「ユーザー選択」, one request (K2)."""
        created = await relay.ask(
            "terminals", "POST", upstream(code, "/terminals"), json={"name": data.name}, waits=False
        )
        if created.status_code != 201:
            return relayed(created)
        body = created.json()
        terminal_id = body["terminal"]["terminal_id"]
        results, token = await reassign(
            relay, code, terminal_id, data.user_ids, body["consistency_token"]
        )
        response = await saved(relay, code, terminal_id, results, token)
        response.status_code = 201
        return response

    @get(
        "/users",
        operation_id="listTerminalUsers",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def terminal_users(
        self,
        relay: Relaying,
        code: FromPath[str],
        terminal_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        account: Annotated[str | None, QueryParameter(max_length=254)] = None,
    ) -> Response[list[TerminalUser]]:
        """「ユーザー選択」: the facility's users (admins never), checked when assigned (K2)."""
        params = {k: v for k, v in (("terminal_id", terminal_id), ("account", account)) if v}
        path = upstream(code, "/terminals/users")
        return await relay.call("terminals", "GET", path, params=params)

    @get(
        "/{terminal_id:str}",
        operation_id="getTerminal",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def get_terminal(
        self, relay: Relaying, code: FromPath[str], terminal_id: FromPath[str]
    ) -> Response[TerminalSummary]:
        path = upstream(code, f"/terminals/{seg(terminal_id)}")
        return await relay.call("terminals", "GET", path)

    @patch(
        "/{terminal_id:str}",
        operation_id="editTerminal",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def edit_terminal(
        self,
        relay: Relaying,
        code: FromPath[str],
        terminal_id: FromPath[str],
        data: JSONBody[TerminalEditIn],
    ) -> Response[TerminalSaved]:
        """「接続端末編集」: rename and check or uncheck users, one request (K3)."""
        token = relay.client_token
        if data.name is not None:
            renamed = await relay.ask(
                "terminals",
                "PATCH",
                upstream(code, f"/terminals/{seg(terminal_id)}"),
                json={"name": data.name, "version": data.version},
                waits=False,
            )
            if renamed.status_code != 200:
                return relayed(renamed)
            token = renamed.json().get("consistency_token") or token
        results: list[AssignmentResult] = []
        if data.user_ids is not None:
            results, token = await reassign(relay, code, terminal_id, data.user_ids, token)
        return await saved(relay, code, terminal_id, results, token)

    @delete(
        "/{terminal_id:str}",
        operation_id="deleteTerminal",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def delete_terminal(
        self,
        relay: Relaying,
        code: FromPath[str],
        terminal_id: FromPath[str],
        version: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> Response[TerminalDeletedOut]:
        """「接続端末削除」: assignments go, live sessions end (K4)."""
        params = {"version": version} if version is not None else None
        path = upstream(code, f"/terminals/{seg(terminal_id)}")
        return await relay.call("terminals", "DELETE", path, params=params)

    @get(
        "/{terminal_id:str}/credentials",
        operation_id="listAgentCredentials",
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def list_credentials(
        self, relay: Relaying, code: FromPath[str], terminal_id: FromPath[str]
    ) -> Response[list[CredentialView]]:
        path = upstream(code, f"/terminals/{seg(terminal_id)}/credentials")
        return await relay.call("terminals", "GET", path)

    @post(
        "/{terminal_id:str}/credentials",
        operation_id="issueAgentCredential",
        status_code=201,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def issue_credential(
        self, relay: Relaying, code: FromPath[str], terminal_id: FromPath[str]
    ) -> Response[CredentialIssued]:
        """A credential for the terminal's agent; the token is shown this once."""
        path = upstream(code, f"/terminals/{seg(terminal_id)}/credentials")
        return await relay.call("terminals", "POST", path)

    @delete(
        "/{terminal_id:str}/credentials/{credential_id:str}",
        operation_id="revokeAgentCredential",
        status_code=200,
        tags=TAGS,
        security=SESSION_SECURITY,
        responses=ADMIN_PROBLEMS,
    )
    async def revoke_credential(
        self,
        relay: Relaying,
        code: FromPath[str],
        terminal_id: FromPath[str],
        credential_id: FromPath[str],
    ) -> Response[CredentialRevoked]:
        rest = f"/terminals/{seg(terminal_id)}/credentials/{seg(credential_id)}"
        return await relay.call("terminals", "DELETE", upstream(code, rest))
