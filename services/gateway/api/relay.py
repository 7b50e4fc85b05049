"""Answering with what a service answered: JSON and problems as they are, files streamed.

The services already speak the public API's language (problem+json with a stable code
and a Japanese message; the same field names), so the gateway passes their answers on
rather than decoding and re-encoding them.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Stream

from libs.runtime.app import CONSISTENCY_HEADER
from libs.runtime.body_stream import read_ahead
from libs.runtime.paths import segment
from libs.runtime.problems import DomainError
from services.gateway.adapters.upstreams import Answer, StreamedAnswer, Upstreams
from services.gateway.api.auth import Caller
from services.gateway.messages import message

PASSED_HEADERS = (
    "content-disposition",
    "content-length",
    "fumidai-csv-truncated",
    "fumidai-csv-rows",
)
"""Headers of a service's file answer that reach the browser."""


def retry_after(headers: Mapping[str, str]) -> dict[str, str]:
    """A service's ``Retry-After`` (on its 503 for a server it lost), passed on."""
    value = headers.get("retry-after")
    return {"Retry-After": value} if value else {}


def relayed(upstream: Answer) -> Response[Any]:
    """The service's JSON answer or problem, status and media type kept."""
    return Response(
        content=upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type", "application/json"),
        headers=retry_after(upstream.headers),
    )


async def relay_stream(upstream: StreamedAnswer) -> Response[Any]:
    """A streamed answer (``Upstreams.open``) passed on chunk by chunk; problems whole.

    Closes ``upstream`` once the body is through (or the client has gone).
    """
    media = upstream.headers.get("content-type", "application/octet-stream")
    if upstream.status_code >= 300:
        try:
            body = await upstream.aread()
        finally:
            await upstream.aclose()
        return Response(
            content=body,
            status_code=upstream.status_code,
            media_type=media,
            headers=retry_after(upstream.headers),
        )

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.aiter_raw():
                yield chunk
        finally:
            await upstream.aclose()

    headers = {k: v for k, v in upstream.headers.items() if k.lower() in PASSED_HEADERS}
    return Stream(chunks(), status_code=upstream.status_code, media_type=media, headers=headers)


async def relay_body(
    request: Request[Any, Any, Any],
    too_large: str,
    send: Callable[[AsyncIterator[bytes]], Awaitable[StreamedAnswer]],
) -> StreamedAnswer:
    """``send`` the request's body on as it comes; a body over the route's limit is 413
    ``too_large`` (a code of ``messages``), whether its length was declared or not.

    Litestar refuses such a body inside the body's iterator, which the upstream client is
    draining: the refusal surfaced as a broken upstream call, a 503 (issue 16, item 8).
    """
    limit = request.route_handler.resolve_request_max_body_size()
    refused = DomainError(too_large, message(too_large), status=413)
    declared = request.headers.get("content-length", "")
    if limit is not None and declared.isdigit() and int(declared) > limit:
        raise refused
    exceeded = False

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal exceeded
        try:
            async for chunk in request.stream():
                yield chunk
        except HTTPException as error:
            exceeded = error.status_code == 413
            raise

    try:
        answer = await send(read_ahead(chunks()))
    except DomainError:
        if exceeded:
            raise refused from None
        raise
    if exceeded:
        await answer.aclose()
        raise refused
    return answer


def consistency(request: Request[Any, Any, Any], token: str | None = None) -> dict[str, str]:
    """The read-your-writes header for a service: ``token``, else the one the client sent.

    DESIGN.md "Commands, queries and consistency": the client passes back the
    ``consistency_token`` of its last command; the service waits until it has applied it.
    """
    chosen = token or request.headers.get(CONSISTENCY_HEADER)
    return {CONSISTENCY_HEADER: chosen} if chosen else {}


def problem_or_json(upstream: Answer) -> dict[str, Any] | None:
    """The JSON body of a successful answer; None for a problem (relay that instead)."""
    if upstream.status_code >= 300:
        return None
    body: dict[str, Any] = upstream.json()
    return body


def seg(value: str) -> str:
    """``value`` as one path segment of a service's URL (see ``libs.runtime.paths``)."""
    return segment(value)


@dataclass(frozen=True)
class Relay:
    """The services behind the gateway, called on behalf of one request's signed-in
    caller: every call names the caller in its internal token and waits for the client's
    consistency token. The routes' one way to call as the caller (a ``relay`` dependency,
    ``api/dependencies.py``)."""

    upstreams: Upstreams
    caller: Caller
    client_token: str | None
    """The consistency token the client sent (admin API); None on the user API, whose
    calls never passed one on."""

    def waiting(self, after: str | None = None, *, waits: bool = True) -> dict[str, str]:
        """The consistency header of a call: ``after`` (a token a step of this request
        got), else the client's unless the call must not wait (``waits`` False)."""
        token = after or (self.client_token if waits else None)
        return {CONSISTENCY_HEADER: token} if token else {}

    async def ask(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        after: str | None = None,
        waits: bool = True,
    ) -> Answer:
        """The service's whole answer, for a route that reads it (see ``waiting``)."""
        headers = self.waiting(after, waits=waits)
        acting = self.caller.acting
        return await self.upstreams.call(
            service, method, path, acting, json=json, params=params, headers=headers
        )

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Response[Any]:
        """Call ``service`` and answer with what it answered (``relayed``)."""
        return relayed(await self.ask(service, method, path, json=json, params=params))

    async def download(
        self,
        service: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Response[Any]:
        """``GET`` a file of ``service`` and stream it through (``relay_stream``)."""
        answer = await self.upstreams.open(
            service,
            "GET",
            path,
            self.caller.acting,
            params=params,
            headers=self.waiting(),
            timeout=timeout,
        )
        return await relay_stream(answer)

    async def upload(
        self,
        request: Request[Any, Any, Any],
        service: str,
        path: str,
        too_large: str,
        *,
        media_type: str = "",
        timeout: float | None = None,
    ) -> Response[Any]:
        """``POST`` the request's body to ``service`` as it comes (``relay_body``; 413
        ``too_large`` over the route's limit), ``media_type`` when the client names none,
        and stream the answer through."""
        headers = {
            **self.waiting(),
            "content-type": request.headers.get("content-type", media_type),
        }
        answer = await relay_body(
            request,
            too_large,
            lambda body: self.upstreams.open(
                service,
                "POST",
                path,
                self.caller.acting,
                content=body,
                headers=headers,
                timeout=timeout,
            ),
        )
        return await relay_stream(answer)
