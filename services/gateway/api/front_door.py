"""Requests made before anyone is signed in: the sign-in steps and 「パスワードを忘れた場合」.

Each takes JSON from this site only (``signin_guard``, decision 0029), is counted against
the rate limits per source address and per account (``throttle``, decision 0031), and
reaches identity with the gateway's pre-authentication token naming the browser's address.
"""

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import Provide

from libs.runtime.app import Injected
from libs.runtime.problems import DomainError
from services.gateway.adapters.throttle import Throttle
from services.gateway.adapters.upstreams import Answer, Upstreams, before_sign_in
from services.gateway.api.dependencies import ClientIp, RateLimits, UpstreamClients
from services.gateway.api.signin_guard import check_sign_in_request
from services.gateway.messages import message


@dataclass(frozen=True)
class FrontDoor:
    """One request of somebody not signed in yet."""

    request: Request[Any, Any, Any]
    upstreams: Upstreams
    throttle: Throttle
    client_ip: str | None

    async def admit(
        self, by_address: tuple[str, int], by_account: tuple[str, int] | None = None
    ) -> None:
        """Refuse a request that is not JSON (415), comes from another site (403) or is
        over a limit (429): ``by_address`` and ``by_account`` are (key prefix or key, limit
        per window); the address's count goes on even when the account's is over."""
        check_sign_in_request(self.request)
        prefix, per_address = by_address
        ok = await self.throttle.allow(f"{prefix}:{self.client_ip or 'unknown'}", per_address)
        if by_account is not None:
            key, per_account = by_account
            ok = await self.throttle.allow(key, per_account) and ok
        if not ok:
            raise DomainError("too_many_attempts", message("too_many_attempts"), status=429)

    async def identity(self, path: str, body: Any) -> Answer:
        """``POST`` ``body`` to identity's ``path`` as the gateway, for this browser."""
        acting = before_sign_in(self.client_ip)
        return await self.upstreams.call("identity", "POST", path, acting, json=body)


async def provide_front_door(
    request: Request[Any, Any, Any],
    upstreams: UpstreamClients,
    throttle: RateLimits,
    client_ip: ClientIp,
) -> FrontDoor:
    return FrontDoor(request, upstreams, throttle, client_ip)


Door = Injected[FrontDoor]
FRONT_DOOR = {"door": Provide(provide_front_door)}
"""The dependencies of a controller of requests made before signing in."""
