"""The gateway's front door: response headers of every public surface (CSP without inline
script, no framing), and which requests the admin console answers instead of the routes."""

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from libs.runtime.access_log import served_outside_routes


def content_security_policy(style_nonce: str | None = None) -> str:
    """The CSP; ``style_nonce`` also admits the ``<style>`` elements carrying it.

    Only the console's ``index.html`` passes one: its component library injects styles at
    run time, and a per-response nonce keeps ``'unsafe-inline'`` out (docs/decisions/0008).
    Scripts are files of our own origin everywhere, never inline.
    """
    style = f"'self' 'nonce-{style_nonce}'" if style_nonce else "'self'"
    return (
        f"default-src 'self'; script-src 'self'; style-src {style}; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


CONTENT_SECURITY_POLICY = content_security_policy()

SERVICE_PREFIXES = ("/api/", "/agent/", "/user-api/", "/health/", "/metrics", "/schema")
SERVICE_ROOTS = frozenset({"/api", "/agent", "/user-api", "/health"})
"""Paths the routes own: the console never answers them, so their 404s stay problem+json."""

CONSOLE_ROUTE = "console"
"""What a console request's access line names as its route (never its path)."""

_READS = frozenset({"GET", "HEAD"})

_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def is_console_request(method: str, path: str) -> bool:
    """A read of a path no route owns: a file of the console or one of its screens."""
    return method in _READS and not path.startswith(SERVICE_PREFIXES) and path not in SERVICE_ROOTS


HSTS = (b"strict-transport-security", b"max-age=63072000")
"""Two years; no includeSubDomains: a hospital's other hosts are not ours to decide."""


def security_headers(app: ASGIApp, console: ASGIApp, *, https: bool = False) -> ASGIApp:
    """ASGI middleware: ``console`` answers console requests, ``app`` the rest; the headers
    above go on every response that has not set its own; API answers are never cached.

    ``no-store`` matters most for answers carrying secrets (initial passwords, TOTP
    enrolment), but nothing under /api, /agent or /user-api is worth a cache's risk. The
    console sets its own ``cache-control`` (and, for ``index.html``, its own CSP). One
    middleware for both, so an API call pays one prefix test for the console, not a layer.
    ``https``: the suite is served over HTTPS (its cookies are Secure): HSTS goes on too.
    """
    fixed = [*_HEADERS, HSTS] if https else _HEADERS

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in fixed:
                    if name not in present:
                        headers.append((name, value))
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        if is_console_request(scope["method"], scope["path"]):
            # A page load is index.html and a dozen files, and its screen's API calls are
            # logged at info already: the console's lines are debug (decision 0045).
            served_outside_routes(scope, CONSOLE_ROUTE, quiet=True)
            await console(scope, receive, send_with_headers)
        else:
            await app(scope, receive, send_with_headers)

    return middleware
