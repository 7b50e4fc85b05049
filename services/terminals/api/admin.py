"""Admin routes of terminals' internal API (the gateway composes them into the admin API).

Admins act in their own facility, operators in any; another facility's terminals and
sessions answer 404 exactly like missing ones (SPEC T3).
"""

from typing import Annotated, Literal

import asyncpg
from litestar import Router, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.internal_auth import Caller, Claims, require_role
from services.terminals.adapters import views
from services.terminals.app.catalogue import create_terminal, delete_terminal, rename_terminal
from services.terminals.app.credentials import issue_credential, revoke_credential
from services.terminals.app.sessions import force_close
from services.terminals.contract import (
    FACILITY_PATH,
    CredentialIssued,
    CredentialRevoked,
    CredentialView,
    ForceClosed,
    ForceCloseRequest,
    SessionView,
    TerminalCreate,
    TerminalDeletedOut,
    TerminalSummary,
    TerminalUpdate,
    TerminalUser,
    TerminalWritten,
)
from services.terminals.domain.errors import not_found
from services.terminals.runtime import TerminalsRuntime


def _guard(claims: Claims, code: str, missing: str) -> None:
    require_role(claims, "admin", "operator")
    if not claims.may_act_in(code):
        raise not_found(missing)  # SPEC T3: exactly what a missing object answers


def admin_router(runtime: TerminalsRuntime) -> Router:
    """Terminals, their users and credentials; live sessions and force close."""

    def pool() -> asyncpg.Pool:
        return runtime.pool  # exists once the app has started

    async def summary(code: str, terminal_id: str) -> TerminalSummary:
        found = await views.get_terminal(pool(), code, terminal_id)
        if found is None:
            raise not_found("terminal_not_found")
        return found

    @get("/terminals", operation_id="listTerminals")
    async def list_terminals(
        code: FromPath[str],
        claims: Caller,
        sort: Annotated[Literal["name"], QueryParameter()] = "name",
        order: Annotated[Literal["asc", "desc"], QueryParameter()] = "asc",
    ) -> list[TerminalSummary]:
        """「接続端末一覧」: 接続端末名 and ユーザー数, sorted by name (SPEC K1)."""
        _guard(claims, code, "terminal_not_found")
        del sort  # the only key; kept explicit so the API can grow
        return await views.list_terminals(pool(), code, order)

    @post("/terminals", operation_id="createTerminal", status_code=201)
    async def create(
        code: FromPath[str], claims: Caller, data: JSONBody[TerminalCreate]
    ) -> TerminalWritten:
        """「新規」 (SPEC K2); its TerminalCreated event is what ops tooling acts on (K5)."""
        _guard(claims, code, "terminal_not_found")
        written = await create_terminal(
            code, data.name, runtime.uow(), claims.actor, runtime.clock()
        )
        return TerminalWritten(
            terminal=await summary(code, written.aggregate_id),
            consistency_token=written.last_event_id,
        )

    @get("/terminals/users", operation_id="listTerminalUsers")
    async def users(
        code: FromPath[str],
        claims: Caller,
        terminal_id: Annotated[str | None, QueryParameter()] = None,
        account: Annotated[str | None, QueryParameter(max_length=254)] = None,
    ) -> list[TerminalUser]:
        """「ユーザー選択」: the facility's users, checked when assigned to ``terminal_id``."""
        _guard(claims, code, "terminal_not_found")
        if terminal_id is not None:
            await summary(code, terminal_id)
        return await views.terminal_users(pool(), code, terminal_id, account or None)

    @get("/terminals/{terminal_id:str}", operation_id="getTerminal")
    async def get_one(
        code: FromPath[str],
        terminal_id: FromPath[str],
        claims: Caller,
    ) -> TerminalSummary:
        _guard(claims, code, "terminal_not_found")
        return await summary(code, terminal_id)

    @patch("/terminals/{terminal_id:str}", operation_id="renameTerminal")
    async def rename(
        code: FromPath[str],
        terminal_id: FromPath[str],
        claims: Caller,
        data: JSONBody[TerminalUpdate],
    ) -> TerminalWritten:
        """「接続端末編集」's name (SPEC K3); user selection is identity's (the gateway)."""
        _guard(claims, code, "terminal_not_found")
        written = await rename_terminal(
            code,
            terminal_id,
            data.name,
            runtime.uow(),
            claims.actor,
            runtime.clock(),
            expected_version=data.version,
        )
        return TerminalWritten(
            terminal=await summary(code, terminal_id), consistency_token=written.last_event_id
        )

    @delete("/terminals/{terminal_id:str}", operation_id="deleteTerminal", status_code=200)
    async def remove(
        code: FromPath[str],
        terminal_id: FromPath[str],
        claims: Caller,
        version: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> TerminalDeletedOut:
        """「接続端末削除」 (SPEC K4): its live sessions end, its agent credentials stop."""
        _guard(claims, code, "terminal_not_found")
        written, ended = await delete_terminal(
            code,
            terminal_id,
            runtime.uow(),
            claims.actor,
            runtime.clock(),
            expected_version=version,
        )
        assert written.last_event_id is not None
        return TerminalDeletedOut(
            terminal_id=terminal_id, ended_sessions=ended, consistency_token=written.last_event_id
        )

    @get("/terminals/{terminal_id:str}/credentials", operation_id="listAgentCredentials")
    async def list_credentials(
        code: FromPath[str], terminal_id: FromPath[str], claims: Caller
    ) -> list[CredentialView]:
        _guard(claims, code, "terminal_not_found")
        await summary(code, terminal_id)
        return await views.credentials(pool(), code, terminal_id)

    @post(
        "/terminals/{terminal_id:str}/credentials",
        operation_id="issueAgentCredential",
        status_code=201,
    )
    async def issue(
        code: FromPath[str], terminal_id: FromPath[str], claims: Caller
    ) -> CredentialIssued:
        """A credential for the terminal's agent; the token is in this answer only."""
        _guard(claims, code, "terminal_not_found")
        issued = await issue_credential(
            code, terminal_id, runtime.uow(), claims.actor, runtime.clock()
        )
        return CredentialIssued(
            credential_id=issued.credential_id,
            terminal_id=terminal_id,
            terminal=issued.terminal_name,
            token=issued.token,
            consistency_token=issued.last_event_id,
        )

    @delete(
        "/terminals/{terminal_id:str}/credentials/{credential_id:str}",
        operation_id="revokeAgentCredential",
        status_code=200,
    )
    async def revoke(
        code: FromPath[str],
        terminal_id: FromPath[str],
        credential_id: FromPath[str],
        claims: Caller,
    ) -> CredentialRevoked:
        _guard(claims, code, "terminal_not_found")
        written = await revoke_credential(
            code, terminal_id, credential_id, runtime.uow(), claims.actor, runtime.clock()
        )
        return CredentialRevoked(
            credential_id=credential_id, consistency_token=written.last_event_id
        )

    @get("/sessions", operation_id="listLiveSessions")
    async def sessions(
        code: FromPath[str],
        claims: Caller,
        terminal_id: Annotated[str | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[SessionView]:
        """The facility's 接続中 sessions, newest first; each offers 「強制切断」 (A6)."""
        _guard(claims, code, "session_not_found")
        return await views.live_sessions(pool(), code, terminal_id, limit, offset)

    @get("/sessions/{session_id:str}", operation_id="getSession")
    async def session(
        code: FromPath[str], session_id: FromPath[str], claims: Caller
    ) -> SessionView:
        _guard(claims, code, "session_not_found")
        found = await views.get_session(pool(), code, session_id)
        if found is None:
            raise not_found("session_not_found")
        return found

    @post(
        "/sessions/{session_id:str}/force-close", operation_id="forceCloseSession", status_code=200
    )
    async def close(
        code: FromPath[str],
        session_id: FromPath[str],
        claims: Caller,
        data: JSONBody[ForceCloseRequest],
    ) -> ForceClosed:
        """「強制切断」 (SPEC C4): ends the session and orders its agent to cut it. A session
        already closed answers 409 ``session_already_closed``."""
        _guard(claims, code, "session_not_found")
        envelope = await force_close(
            code, session_id, data.reason, runtime.uow(), claims.actor, runtime.clock()
        )
        found = await views.get_session(pool(), code, session_id)
        assert found is not None
        return ForceClosed(session=found, consistency_token=envelope.event_id)

    return Router(
        path=FACILITY_PATH,
        route_handlers=[
            list_terminals,
            create,
            users,
            get_one,
            rename,
            remove,
            list_credentials,
            issue,
            revoke,
            sessions,
            session,
            close,
        ],
        tags=["admin"],
    )
