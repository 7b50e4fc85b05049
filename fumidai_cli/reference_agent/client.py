"""HTTP calls of the agent protocol, one method per endpoint."""

from typing import Any, TypeVar

import httpx
import msgspec

from services.terminals.contract import (
    AckOut,
    AuthorizeRequest,
    DecisionOut,
    HeartbeatOut,
    HeartbeatRequest,
    OrdersOut,
    SessionOut,
    StartRequest,
    TerminalInfo,
)

T = TypeVar("T")


class AgentApiError(Exception):
    """The server refused a call: its HTTP status and problem code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class CredentialRejected(AgentApiError):
    """401: the credential is unknown or revoked. A new one must be installed."""


class TerminalDeleted(AgentApiError):
    """410: the terminal was deleted; every session on it has ended (SPEC K4)."""


class AgentClient:
    """Calls ``/agent/v1`` at ``base_url`` with a terminal's agent token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._http = http or httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._owns_http = http is None
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def terminal(self) -> TerminalInfo:
        return await self._call("GET", "/agent/v1/terminal", TerminalInfo)

    async def authorize(self, account: str, mac: str) -> DecisionOut:
        body = AuthorizeRequest(account=account, mac=mac)
        return await self._call("POST", "/agent/v1/decisions", DecisionOut, body)

    async def start(self, decision_id: str) -> SessionOut:
        body = StartRequest(decision_id=decision_id)
        return await self._call("POST", "/agent/v1/sessions", SessionOut, body)

    async def end(self, session_id: str) -> SessionOut:
        return await self._call("POST", f"/agent/v1/sessions/{session_id}/end", SessionOut)

    async def heartbeat(self, session_ids: list[str]) -> HeartbeatOut:
        body = HeartbeatRequest(sessions=session_ids)
        return await self._call("POST", "/agent/v1/heartbeat", HeartbeatOut, body)

    async def poll(self, after: int, wait: float) -> OrdersOut:
        # The read timeout must outlast the time the server holds the poll.
        return await self._call(
            "GET",
            "/agent/v1/orders",
            OrdersOut,
            params={"after": after, "wait": wait},
            timeout=wait + self._timeout,
        )

    async def ack(self, seq: int) -> AckOut:
        return await self._call("POST", f"/agent/v1/orders/{seq}/ack", AckOut)

    async def _call(
        self,
        method: str,
        path: str,
        into: type[T],
        body: msgspec.Struct | None = None,
        *,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> T:
        response = await self._http.request(
            method,
            path,
            content=msgspec.json.encode(body) if body is not None else None,
            headers={**self._headers, "Content-Type": "application/json"},
            params=params,
            timeout=timeout or self._timeout,
        )
        if response.status_code >= 400:
            raise _error(response)
        return msgspec.json.decode(response.content, type=into)


def _error(response: httpx.Response) -> AgentApiError:
    try:
        problem = response.json()
        code, text = str(problem.get("code", "")), str(problem.get("title", ""))
    except ValueError:
        code, text = "http_error", response.text[:200]
    kind = {401: CredentialRejected, 410: TerminalDeleted}.get(response.status_code, AgentApiError)
    return kind(response.status_code, code, text)
