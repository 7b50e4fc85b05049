"""Everything the gateway's routes share, built once by its composition root."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from litestar import Request, Response

from libs.runtime.backbone import Backbone
from libs.runtime.problems import NotFound
from libs.runtime.source_address import source_ip
from services.gateway.auth import Caller, authenticate
from services.gateway.relay import consistency, relayed
from services.gateway.session_cache import SessionCache
from services.gateway.sessions import SessionStore
from services.gateway.settings import GatewayOwn
from services.gateway.throttle import Throttle
from services.gateway.upstreams import Upstreams
from services.identity.contract import CsvLimits


@dataclass
class Gateway:
    backbone: Backbone
    upstreams: Upstreams
    own: GatewayOwn
    sessions: SessionStore
    throttle: Throttle
    csv: CsvLimits = field(default_factory=CsvLimits)
    """identity's CSV import limits, as identity reads them (U6)."""

    @classmethod
    def build(
        cls,
        backbone: Backbone,
        upstreams: Upstreams,
        own: GatewayOwn,
        csv: CsvLimits | None = None,
    ) -> "Gateway":
        def pool():  # type: ignore[no-untyped-def]
            return backbone.pool

        return cls(
            backbone=backbone,
            upstreams=upstreams,
            own=own,
            sessions=SessionStore(
                pool,
                idle=timedelta(minutes=own.session_idle_minutes),
                absolute=timedelta(hours=own.session_absolute_hours),
                cache=SessionCache(backbone.core.database_url, own.session_cache_s),
            ),
            throttle=Throttle(pool, timedelta(minutes=own.signin_window_minutes)),
            csv=csv or CsvLimits(),
        )

    def ip(self, request: Request[Any, Any, Any]) -> str | None:
        return source_ip(request, self.own.trusted_proxies)

    async def admin(self, request: Request[Any, Any, Any]) -> Caller:
        """The signed-in admin making ``request`` (401/403 otherwise)."""
        return await authenticate(request, self.sessions, "admin", self.own.trusted_proxies)

    async def admin_of(self, request: Request[Any, Any, Any], code: str) -> Caller:
        """The signed-in admin of facility ``code``; another facility answers 404 (T3)."""
        caller = await self.admin(request)
        if caller.session.grant.facility != code:
            raise NotFound()
        return caller

    async def user(self, request: Request[Any, Any, Any]) -> Caller:
        """The signed-in user (利用者) making ``request`` (401/403 otherwise)."""
        return await authenticate(request, self.sessions, "user", self.own.trusted_proxies)

    async def as_admin_of(
        self,
        request: Request[Any, Any, Any],
        code: str,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Response[Any]:
        """Call ``service`` as facility ``code``'s signed-in admin, passing on the
        client's consistency token, and answer with what the service answered."""
        caller = await self.admin_of(request, code)
        answer = await self.upstreams.call(
            service,
            method,
            path,
            caller.acting,
            json=json,
            params=params,
            headers=consistency(request),
        )
        return relayed(answer)
