"""The admin console: the built single-page app (``ui/dist``), served from memory.

Every file of the build is read once at start-up, with its gzip and brotli forms (the
build writes them next to each file, ``ensure_ui``; made here when missing). Requests look
paths up in that table and never touch the disk, so no path can reach outside the build.
Paths under ``/assets/`` are Vite's content-hashed files, cached for good; any other path
that is not a file is a screen of the app and gets ``index.html`` (the client routes it),
with a fresh CSP nonce for the styles the component library injects (docs/decisions/0008).
A screen's address also gets preload links for the chunks that screen needs, as the build
listed them (``ui/tooling/route-preload-plugin.ts``): they load beside the entry instead of
after it.
"""

import gzip
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import cast

import brotli
import msgspec
import structlog
from litestar.types import (
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Receive,
    Scope,
    Send,
)

from libs.runtime.problems import Problem
from services.gateway.api.security_headers import content_security_policy

log = structlog.get_logger("console")

NONCE_PLACEHOLDER = b"__CSP_NONCE__"
"""What Vite writes for the nonce (``html.cspNonce`` in ui/vite.config.ts)."""

INDEX = Path("index.html")
PRELOADS = Path(".fumidai-preloads.json")
"""Address pattern → the screen's scripts and styles (a dot file: never served)."""
HEAD_END = b"</head>"
ASSET_PREFIX = "/assets/"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
"""Files outside /assets/ (Vite's public/ folder) keep their names across builds."""

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".avif": "image/avif",
    ".wasm": "application/wasm",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}
COMPRESSIBLE = frozenset({".html", ".js", ".mjs", ".css", ".json", ".map", ".svg", ".txt", ".ico"})
PROBLEM = b"application/problem+json"
ENCODINGS = {"br": ".br", "gzip": ".gz"}
"""Content-coding → suffix of the file the build wrote it to; preferred first."""


def compressed_forms(data: bytes, *, best: bool) -> dict[str, bytes]:
    """``data`` brotli- and gzip-compressed, each only when it saves bytes.

    ``best`` (the build, once) takes the slow top levels; the gateway's start-up, which
    compresses only what the build did not, the fast ones.
    """
    forms = {
        "br": brotli.compress(data, quality=11 if best else 5),
        "gzip": gzip.compress(data, compresslevel=9 if best else 6, mtime=0),
    }
    return {coding: body for coding, body in forms.items() if len(body) < len(data)}


def write_compressed(dist: Path) -> None:
    """Write ``x.br`` and ``x.gz`` beside every compressible file of a build.

    Not ``index.html``: every answer carries its own nonce, so no stored form of it fits.
    """
    for path in sorted(dist.rglob("*")):
        if path.is_file() and path.suffix in COMPRESSIBLE and path != dist / INDEX:
            for coding, body in compressed_forms(path.read_bytes(), best=True).items():
                path.with_name(path.name + ENCODINGS[coding]).write_bytes(body)


@dataclass(frozen=True)
class File:
    """One file of the build: its type, how long it may be cached, its bodies by coding."""

    content_type: bytes
    cache_control: bytes
    bodies: dict[str, bytes] = field(default_factory=dict)
    """``identity`` always; ``br`` and ``gzip`` for compressible files."""


def load_file(path: Path, url: str) -> File:
    data = path.read_bytes()
    kind = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
    cache = IMMUTABLE if url.startswith(ASSET_PREFIX) else REVALIDATE
    bodies = {"identity": data}
    if path.suffix in COMPRESSIBLE:
        built = {
            coding: sibling.read_bytes()
            for coding, suffix in ENCODINGS.items()
            if (sibling := path.with_name(path.name + suffix)).is_file()
        }
        bodies.update(built or compressed_forms(data, best=False))
    return File(kind.encode(), cache, bodies)


def load_build(root: Path) -> dict[str, File]:
    """URL path → file, for every regular file of the build below ``root``.

    Dot files (the build's stamp) and the compressed siblings are no URLs of their own;
    symbolic links are not followed, so nothing outside ``root`` is ever read.
    """
    files: dict[str, File] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_symlink() or not path.is_file() or path.suffix in (".br", ".gz"):
            continue
        if any(part.startswith(".") for part in relative.parts) or relative == INDEX:
            continue
        url = "/" + relative.as_posix()
        files[url] = load_file(path, url)
    return files


def accepted_coding(scope: Scope, offered: dict[str, bytes]) -> str:
    """The preferred coding of ``offered`` that the client's Accept-Encoding admits."""
    header = next((v for k, v in scope["headers"] if k == b"accept-encoding"), b"")
    qualities: dict[str, float] = {}
    for item in header.decode("latin-1").lower().split(","):
        name, _, params = item.partition(";")
        qualities[name.strip()] = quality(params)
    anything = qualities.get("*", 0.0)
    for coding in ENCODINGS:
        if coding in offered and qualities.get(coding, anything) > 0:
            return coding
    return "identity"


def quality(params: str) -> float:
    """The ``q`` of one Accept-Encoding item's parameters (1 when absent, 0 when unreadable)."""
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def problem(status: int, code: str, title: str, detail: str | None = None) -> bytes:
    body = Problem(
        type=f"https://fumidai.invalid/problems/{code}",
        title=title,
        status=status,
        code=code,
        detail=detail,
    )
    return msgspec.json.encode(body)


class PreloadList(msgspec.Struct):
    scripts: list[str]
    styles: list[str]


def preload_links(entry: PreloadList) -> bytes:
    """The link elements of one screen: scripts as the entry's own are (module preloads,
    CORS mode), styles fetched early and applied when the screen's code adds them."""
    scripts = [f'<link rel="modulepreload" crossorigin href="{escape(u)}">' for u in entry.scripts]
    styles = [
        f'<link rel="preload" as="style" crossorigin href="{escape(u)}">' for u in entry.styles
    ]
    return "".join(scripts + styles).encode()


def load_index_variants(root: Path) -> dict[str, list[bytes]]:
    """``index.html`` cut at the nonce placeholder: under ``""`` as built, and under each
    address pattern of the build's preload list with that screen's links in its head."""
    html = (root / INDEX).read_bytes()
    variants = {"": html.split(NONCE_PLACEHOLDER)}
    listed = root / PRELOADS
    if listed.is_file() and not listed.is_symlink():
        preloads = msgspec.json.decode(listed.read_bytes(), type=dict[str, PreloadList])
        for pattern, entry in preloads.items():
            page = html.replace(HEAD_END, preload_links(entry) + HEAD_END, 1)
            variants[pattern] = page.split(NONCE_PLACEHOLDER)
    return variants


def screen_pattern(path: str, patterns: Iterable[str]) -> str:
    """The pattern ``path`` falls under: itself exactly, else the longest ``prefix*`` it
    starts with; ``""`` (no preloads) when none does."""
    best, longest = "", -1
    for pattern in patterns:
        if pattern == path:
            return pattern
        prefix = pattern.removesuffix("*")
        if prefix != pattern and path.startswith(prefix) and len(prefix) > longest:
            best, longest = pattern, len(prefix)
    return best


class Console:
    """The ASGI app answering console requests (``security.is_console_request``)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.files: dict[str, File] = {}
        self.index: dict[str, list[bytes]] | None = None
        """Address pattern → ``index.html`` for it (``load_index_variants``); None: no build."""
        if root is None or not (root / INDEX).is_file():
            log.warning("console_not_built", ui_dir=str(root) if root else None)
            return
        self.files = load_build(root)
        self.index = load_index_variants(root)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        head = cast("HTTPScope", scope)["method"] == "HEAD"
        found = self.files.get(path)
        if found is not None:
            coding = accepted_coding(scope, found.bodies)
            headers = [
                (b"content-type", found.content_type),
                (b"cache-control", found.cache_control),
            ]
            if len(found.bodies) > 1:
                headers.append((b"vary", b"accept-encoding"))
            if coding != "identity":
                headers.append((b"content-encoding", coding.encode()))
            await respond(send, 200, headers, found.bodies[coding], head)
        elif path.startswith(ASSET_PREFIX):
            body = problem(404, "not_found", "対象が見つかりません。")
            await respond(send, 404, [(b"content-type", PROBLEM)], body, head)
        elif self.index is None:
            await respond(send, 503, [(b"content-type", PROBLEM)], self.not_built(), head)
        else:
            await send_index(send, self.index[screen_pattern(path, self.index)], head)

    def not_built(self) -> bytes:
        where = str(self.root) if self.root is not None else "FUMIDAI_GATEWAY_UI_DIR (unset)"
        return problem(
            503,
            "console_not_built",
            "管理画面が用意されていません。",
            f"No built admin console in {where}: `./fumidai up` builds ui/ into ui/dist;"
            " elsewhere, run `npm ci && npm run generate && npm run build` in ui/ and set"
            " FUMIDAI_GATEWAY_UI_DIR to ui/dist.",
        )


async def send_index(send: Send, index: list[bytes], head: bool) -> None:
    """``index.html`` with a nonce of its own, and the CSP admitting exactly that nonce."""
    nonce = secrets.token_urlsafe(18)
    headers = [
        (b"content-type", CONTENT_TYPES[".html"].encode()),
        (b"cache-control", b"no-store"),
        (b"content-security-policy", content_security_policy(nonce).encode()),
    ]
    await respond(send, 200, headers, nonce.encode().join(index), head)


async def respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes, head: bool
) -> None:
    """One whole answer; HEAD gets the same headers (length included) and no body."""
    headers.append((b"content-length", str(len(body)).encode()))
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": headers,
    }
    await send(start)
    whole: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": b"" if head else body,
        "more_body": False,
    }
    await send(whole)
