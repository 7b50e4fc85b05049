"""Errors as RFC 9457 problem+json, with a stable code and a Japanese message.

Domain errors (``libs.runtime.refusals``, pure, and named here too) carry the code and
message; the one exception-handler table here maps them to HTTP for every service.
"""

from collections.abc import Mapping
from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from libs.events.store import ConcurrencyConflict

# Named here too, where every service's api/ and app/ have always found them.
from libs.runtime.refusals import Conflict as Conflict
from libs.runtime.refusals import DomainError as DomainError
from libs.runtime.refusals import FieldProblem as FieldProblem
from libs.runtime.refusals import NotFound as NotFound
from libs.runtime.refusals import Problem as Problem

log = structlog.get_logger("http")


def problem_response(
    status: int,
    code: str,
    title: str,
    errors: tuple[FieldProblem, ...] = (),
    headers: Mapping[str, str] | None = None,
) -> Response[Any]:
    """A problem+json response."""
    body = Problem(
        type=f"https://fumidai.invalid/problems/{code}",
        title=title,
        status=status,
        code=code,
        errors=errors,
    )
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type="application/problem+json",
        headers=dict(headers or {}),
    )


def _domain(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return problem_response(exc.status, exc.code, exc.message, exc.errors, exc.headers)


def _conflict(_: Request[Any, Any, Any], exc: ConcurrencyConflict) -> Response[Any]:
    return problem_response(
        409, "version_conflict", "他の管理者が先に更新しました。画面を再読み込みしてください。"
    )


def _validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = tuple(
        FieldProblem(
            field=str(item.get("key") or item.get("source") or ""),
            code="invalid",
            message=str(item.get("message", "")),
        )
        for item in extra
        if isinstance(item, dict)
    )
    return problem_response(400, "invalid_request", "入力内容に誤りがあります。", errors)


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    titles = {
        401: ("unauthenticated", "ログインしてください。"),
        403: ("forbidden", "この操作は許可されていません。"),
        404: ("not_found", "対象が見つかりません。"),
        405: ("method_not_allowed", "この操作は許可されていません。"),
        413: ("too_large", "送信されたデータが大きすぎます。"),
    }
    code, title = titles.get(exc.status_code, ("http_error", "リクエストを処理できませんでした。"))
    return problem_response(exc.status_code, code, title)


def _bad_data(request: Request[Any, Any, Any], exc: asyncpg.DataError) -> Response[Any]:
    # Input PostgreSQL cannot hold (a NUL byte in text, an out-of-range number) that got
    # past validation: still the caller's mistake, never a 500.
    log.warning("rejected_data", path=request.url.path, sqlstate=exc.sqlstate)
    return problem_response(400, "invalid_request", "入力内容に誤りがあります。")


DECODER_RECURSION = "while deserializing"
"""What msgspec adds to the RecursionError of a document nested past the interpreter's
limit; Python's own (a bug of ours) says no such thing and stays a 500."""


def _too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    if DECODER_RECURSION not in str(exc):
        return _unexpected(request, exc)
    # Thousands of nested brackets in a body: the caller's mistake (issue 16, item 8).
    return problem_response(400, "json_too_deep", "送信されたデータの入れ子が深すぎます。")


RETRY_AFTER_S = 5
"""What a 503 for a dependency that is down tells clients to wait: about what ``up`` or a
process manager takes to bring a crashed server or service back (docs/decisions/0033)."""

DEPENDENCY_DOWN: tuple[type[Exception], ...] = (
    ConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, ConnectionDoesNotExistError's too
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)
"""A server this service needs is down or restarting (refused, reset, PostgreSQL shutting
down or starting up): nobody's mistake and no bug, so a 503 to retry rather than a 500."""


def _dependency_down(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.warning("dependency_unavailable", path=request.url.path, error=repr(exc))
    return problem_response(
        503,
        "service_unavailable",
        "サービスが一時的に利用できません。時間をおいて再度お試しください。",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _interface(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """asyncpg's InterfaceError is mostly our misuse (a bug: 500), but "connection is
    closed" is a connection whose server went away under it (seen once as a 500 while up's
    PostgreSQL was killed): that one is a dependency down."""
    if "connection is closed" in str(exc):
        return _dependency_down(request, exc)
    return _unexpected(request, exc)


SERVER_FAREWELL = "another operation (2) is in progress"
"""asyncpg's words for a pooled connection still consuming an error PostgreSQL sent it while
it sat idle (protocol state 2): the server's FATAL as it ends the connection, shutting down
or its postmaster gone. Its next query raises ``InternalClientError`` with them."""


def _internal_client(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """asyncpg's InternalClientError is a bug of asyncpg's or ours (500), except on a
    connection PostgreSQL ended while it was idle: the next request that took it from the
    pool got it. That was the 500 of the one request in flight when ``up``'s PostgreSQL was
    killed (issue 17; tests/faults/ found it): a dependency down."""
    if SERVER_FAREWELL in str(exc):
        return _dependency_down(request, exc)
    return _unexpected(request, exc)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled_error", path=request.url.path, error=repr(exc), exc_info=exc)
    return problem_response(
        500, "internal_error", "システムエラーが発生しました。時間をおいて再度お試しください。"
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: _domain,
    ConcurrencyConflict: _conflict,
    ValidationException: _validation,
    HTTPException: _http,
    asyncpg.DataError: _bad_data,
    RecursionError: _too_deep,
    **{kind: _dependency_down for kind in DEPENDENCY_DOWN},
    asyncpg.InterfaceError: _interface,
    asyncpg.InternalClientError: _internal_client,
    Exception: _unexpected,
}
"""Pass to every Litestar app: ``Litestar(..., exception_handlers=EXCEPTION_HANDLERS)``."""
