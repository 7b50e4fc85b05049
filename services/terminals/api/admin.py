"""Admin routes of terminals' internal API (the gateway composes them into the admin API).

Admins act in their own facility, operators in any; another facility's terminals and
sessions answer 404 exactly like missing ones (SPEC T3): the guards check both before a
route reads its parameters, with the not-found code of the controller's resource.
"""

from typing import Annotated, Literal

import asyncpg
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from libs.runtime.guards import acts_in_path_facility
from libs.runtime.internal_auth import Caller
from services.terminals.adapters import views
from services.terminals.api.provided import Db, NewUnitOfWork, Now
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


async def _summary(db: asyncpg.Pool, code: str, terminal_id: str) -> TerminalSummary:
    found = await views.get_terminal(db, code, terminal_id)
    if found is None:
        raise not_found("terminal_not_found")
    return found


class TerminalsController(Controller):
    """Terminals, their users and credentials."""

    path = FACILITY_PATH
    tags = ("admin",)
    guards = (
        acts_in_path_facility(
            "admin", "operator", not_found=lambda: not_found("terminal_not_found")
        ),
    )

    @get("/terminals", operation_id="listTerminals")
    async def list_terminals(
        self,
        code: FromPath[str],
        db: Db,
        sort: Annotated[Literal["name"], QueryParameter()] = "name",
        order: Annotated[Literal["asc", "desc"], QueryParameter()] = "asc",
    ) -> list[TerminalSummary]:
        """「接続端末一覧」: 接続端末名 and ユーザー数, sorted by name (SPEC K1)."""
        del sort  # the only key; kept explicit so the API can grow
        return await views.list_terminals(db, code, order)

    @post("/terminals", operation_id="createTerminal", status_code=201)
    async def create(
        self,
        code: FromPath[str],
        claims: Caller,
        data: JSONBody[TerminalCreate],
        db: Db,
        new_uow: NewUnitOfWork,
        clock: Now,
    ) -> TerminalWritten:
        """「新規」 (SPEC K2); its TerminalCreated event is what ops tooling acts on (K5)."""
        written = await create_terminal(code, data.name, new_uow(), claims.actor, clock())
        return TerminalWritten(
            terminal=await _summary(db, code, written.aggregate_id),
            consistency_token=written.last_event_id,
        )

    @get("/terminals/users", operation_id="listTerminalUsers")
    async def users(
        self,
        code: FromPath[str],
        db: Db,
        terminal_id: Annotated[str | None, QueryParameter()] = None,
        account: Annotated[str | None, QueryParameter(max_length=254)] = None,
    ) -> list[TerminalUser]:
        """「ユーザー選択」: the facility's users, checked when assigned to ``terminal_id``."""
        if terminal_id is not None:
            await _summary(db, code, terminal_id)
        return await views.terminal_users(db, code, terminal_id, account or None)

    @get("/terminals/{terminal_id:str}", operation_id="getTerminal")
    async def get_one(
        self, code: FromPath[str], terminal_id: FromPath[str], db: Db
    ) -> TerminalSummary:
        return await _summary(db, code, terminal_id)

    @patch("/terminals/{terminal_id:str}", operation_id="renameTerminal")
    async def rename(
        self,
        code: FromPath[str],
        terminal_id: FromPath[str],
        claims: Caller,
        data: JSONBody[TerminalUpdate],
        db: Db,
        new_uow: NewUnitOfWork,
        clock: Now,
    ) -> TerminalWritten:
        """「接続端末編集」's name (SPEC K3); user selection is identity's (the gateway)."""
        written = await rename_terminal(
            code,
            terminal_id,
            data.name,
            new_uow(),
            claims.actor,
            clock(),
            expected_version=data.version,
        )
        return TerminalWritten(
            terminal=await _summary(db, code, terminal_id),
            consistency_token=written.last_event_id,
        )

    @delete("/terminals/{terminal_id:str}", operation_id="deleteTerminal", status_code=200)
    async def remove(
        self,
        code: FromPath[str],
        terminal_id: FromPath[str],
        claims: Caller,
        new_uow: NewUnitOfWork,
        clock: Now,
        version: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> TerminalDeletedOut:
        """「接続端末削除」 (SPEC K4): its live sessions end, its agent credentials stop."""
        written, ended = await delete_terminal(
            code, terminal_id, new_uow(), claims.actor, clock(), expected_version=version
        )
        assert written.last_event_id is not None
        return TerminalDeletedOut(
            terminal_id=terminal_id, ended_sessions=ended, consistency_token=written.last_event_id
        )

    @get("/terminals/{terminal_id:str}/credentials", operation_id="listAgentCredentials")
    async def list_credentials(
        self, code: FromPath[str], terminal_id: FromPath[str], db: Db
    ) -> list[CredentialView]:
        await _summary(db, code, terminal_id)
        return await views.credentials(db, code, terminal_id)

    @post(
        "/terminals/{terminal_id:str}/credentials",
        operation_id="issueAgentCredential",
        status_code=201,
    )
    async def issue(
        self,
        code: FromPath[str],
        terminal_id: FromPath[str],
        claims: Caller,
        new_uow: NewUnitOfWork,
        clock: Now,
    ) -> CredentialIssued:
        """A credential for the terminal's agent; the token is in this answer only."""
        issued = await issue_credential(code, terminal_id, new_uow(), claims.actor, clock())
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
        self,
        code: FromPath[str],
        terminal_id: FromPath[str],
        credential_id: FromPath[str],
        claims: Caller,
        new_uow: NewUnitOfWork,
        clock: Now,
    ) -> CredentialRevoked:
        written = await revoke_credential(
            code, terminal_id, credential_id, new_uow(), claims.actor, clock()
        )
        return CredentialRevoked(
            credential_id=credential_id, consistency_token=written.last_event_id
        )


class SessionsController(Controller):
    """Live sessions and force close."""

    path = FACILITY_PATH
    tags = ("admin",)
    guards = (
        acts_in_path_facility(
            "admin", "operator", not_found=lambda: not_found("session_not_found")
        ),
    )

    @get("/sessions", operation_id="listLiveSessions")
    async def sessions(
        self,
        code: FromPath[str],
        db: Db,
        terminal_id: Annotated[str | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[SessionView]:
        """The facility's 接続中 sessions, newest first; each offers 「強制切断」 (A6)."""
        return await views.live_sessions(db, code, terminal_id, limit, offset)

    @get("/sessions/{session_id:str}", operation_id="getSession")
    async def session(self, code: FromPath[str], session_id: FromPath[str], db: Db) -> SessionView:
        found = await views.get_session(db, code, session_id)
        if found is None:
            raise not_found("session_not_found")
        return found

    @post(
        "/sessions/{session_id:str}/force-close", operation_id="forceCloseSession", status_code=200
    )
    async def close(
        self,
        code: FromPath[str],
        session_id: FromPath[str],
        claims: Caller,
        data: JSONBody[ForceCloseRequest],
        db: Db,
        new_uow: NewUnitOfWork,
        clock: Now,
    ) -> ForceClosed:
        """「強制切断」 (SPEC C4): ends the session and orders its agent to cut it. A session
        already closed answers 409 ``session_already_closed``."""
        envelope = await force_close(
            code, session_id, data.reason, new_uow(), claims.actor, clock()
        )
        found = await views.get_session(db, code, session_id)
        assert found is not None
        return ForceClosed(session=found, consistency_token=envelope.event_id)
