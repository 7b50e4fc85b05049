"""Login CSRF (issue 16, item 5): the sign-in steps answer only the browser that began them.

Without these checks a page elsewhere could post the steps of the attacker's own account
from a victim's browser (a ``text/plain`` form needs no preflight) and leave it signed in
as the attacker, who then reads whatever the victim uploads. Three locks, each enough
against today's browsers, together also against an old one (docs/decisions/0029):

- the body must be JSON: a cross-site form cannot send ``application/json``, and a
  cross-site ``fetch`` that does needs a preflight nobody answers;
- ``Origin`` and ``Sec-Fetch-Site``, when sent, must say the request comes from this site.
  Browsers send them on every POST; scripts and tools send neither, and are let through:
  they carry no victim's cookies, so there is nobody to forge a sign-in into;
- the first step sets a cookie holding the sign-in's handle (HttpOnly, SameSite=Strict,
  scoped to the steps' path), and every later step must present it with the same handle:
  a handle learned elsewhere is worthless in a browser that did not start that sign-in.
"""

import hmac
from typing import Any
from urllib.parse import urlsplit

from litestar import Request

from libs.runtime.problems import DomainError
from services.gateway.messages import message

SIGNIN_COOKIE = "fumidai_signin"
SAME_SITE = frozenset({"same-origin"})


def media_type(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def cross_site(request: Request[Any, Any, Any]) -> bool:
    """True when the browser says the request comes from another site (or hides where)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in SAME_SITE:
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    host = request.headers.get("host", "").lower()
    # "null" (a sandboxed frame, a redirect) has no host and never matches.
    return not host or urlsplit(origin.lower()).netloc != host


def check_sign_in_request(request: Request[Any, Any, Any]) -> None:
    """Refuse a step that is not JSON (415) or that a browser sends from elsewhere (403)."""
    if media_type(request) != "application/json":
        raise DomainError("json_required", message("json_required"), status=415)
    if cross_site(request):
        raise DomainError("cross_site_sign_in", message("cross_site_sign_in"), status=403)


def check_bound(request: Request[Any, Any, Any], handle: str) -> None:
    """Refuse (403) a later step whose handle is not the one this browser's first step got."""
    bound = request.cookies.get(SIGNIN_COOKIE, "")
    if not hmac.compare_digest(bound.encode(), handle.encode()):
        raise DomainError("signin_not_bound", message("signin_not_bound"), status=403)
