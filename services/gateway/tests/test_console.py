"""The admin console served at /: a small build written here (no npm), served by the real
gateway over real HTTP."""

import asyncio
import gzip
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import brotli
import httpx
import pytest

from libs.events.correlation import well_formed
from libs.runtime.settings import ServiceSettings
from libs.testing.apps import served
from services.gateway.api.console import screen_pattern, write_compressed
from services.gateway.api.security_headers import CONTENT_SECURITY_POLICY
from services.gateway.bootstrap import bootstrap
from services.gateway.settings import GatewayOwn, UpstreamSettings

NOWHERE = "http://127.0.0.1:9"
SCRIPT = b"export const screens = [" + b'"users", ' * 400 + b"];\n"
STYLE = b".fumidai { color: #123456; }\n" * 200
INDEX = (
    b'<!doctype html><html lang="ja"><head>'
    b'<meta property="csp-nonce" nonce="__CSP_NONCE__">'
    b'<script type="module" crossorigin src="/assets/index-Bx7kQ2.js" nonce="__CSP_NONCE__">'
    b"</script>"
    b'<link rel="stylesheet" href="/assets/index-C9f3aa.css" nonce="__CSP_NONCE__">'
    b'</head><body><div id="root"></div></body></html>'
)
PRELOADS = (
    b'{"/users": {"scripts": ["/assets/Shell-A1.js", "/assets/UserList-B2.js"], "styles": []},'
    b' "/logs*": {"scripts": ["/assets/Logs-C3.js"], "styles": ["/assets/logs-D4.css"]}}'
)
SECRET = b"not-for-the-web"
NONCE = re.compile(r'<meta property="csp-nonce" nonce="([^"]+)">')


def write_build(root: Path) -> Path:
    """A build as Vite writes it: index.html with the placeholder, hashed assets, one
    public file, the build's stamp; the script compressed by the build, the style not."""
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(INDEX)
    (dist / "assets" / "index-Bx7kQ2.js").write_bytes(SCRIPT)
    (dist / "assets" / "logo-D1e2f3.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    (dist / "assets" / "font-E4f5a6.woff2").write_bytes(b"wOF2" + bytes(64))
    write_compressed(dist / "assets")
    (dist / "assets" / "index-C9f3aa.css").write_bytes(STYLE)
    (dist / "robots.txt").write_bytes(b"User-agent: *\nDisallow: /\n")
    (dist / ".fumidai-built").write_bytes(b"stamp")
    (dist / ".fumidai-preloads.json").write_bytes(PRELOADS)
    (root / "secret.txt").write_bytes(SECRET)
    (dist / "assets" / "linked.js").symlink_to(root / "secret.txt")
    return dist


@pytest.fixture
async def console_url(gateway_settings: ServiceSettings, tmp_path: Path) -> AsyncIterator[str]:
    dist = write_build(tmp_path)
    async with gateway_at(gateway_settings, str(dist)) as url:
        yield url


@asynccontextmanager
async def gateway_at(settings: ServiceSettings, ui_dir: str) -> AsyncIterator[str]:
    upstreams = UpstreamSettings(
        identity_url=NOWHERE, terminals_url=NOWHERE, audit_url=NOWHERE, fileshare_url=NOWHERE
    )
    async with served(bootstrap(settings, upstreams, GatewayOwn(ui_dir=ui_dir))) as url:
        yield url


async def get(url: str, path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as http:
        return await http.get(path, headers=headers)


async def test_assets_are_immutable_and_compressed_as_the_client_accepts(console_url: str) -> None:
    path = "/assets/index-Bx7kQ2.js"
    cases = {
        "br": "br",
        "gzip, deflate": "gzip",
        "gzip;q=0.5, br;q=0": "gzip",
        "*": "br",
        "identity": None,
        "br;q=0, gzip;q=0": None,
    }
    for accepted, expected in cases.items():
        response = await get(console_url, path, **{"Accept-Encoding": accepted})
        assert response.status_code == 200, accepted
        assert response.headers.get("content-encoding") == expected, accepted
        assert response.content == SCRIPT, accepted  # httpx decodes br and gzip
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["vary"] == "accept-encoding"
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    raw = await get(console_url, path, **{"Accept-Encoding": "br"})
    assert int(raw.headers["content-length"]) < len(SCRIPT) // 10
    # The style had no compressed forms from the build: the gateway made them at start-up.
    style = await get(console_url, "/assets/index-C9f3aa.css", **{"Accept-Encoding": "gzip"})
    assert style.headers["content-encoding"] == "gzip"
    assert style.content == STYLE
    assert style.headers["content-type"] == "text/css; charset=utf-8"


async def test_compressed_forms_written_by_the_build_are_the_ones_served(tmp_path: Path) -> None:
    dist = write_build(tmp_path)
    script = dist / "assets" / "index-Bx7kQ2.js"
    assert brotli.decompress((dist / "assets" / "index-Bx7kQ2.js.br").read_bytes()) == SCRIPT
    assert gzip.decompress(script.with_name(script.name + ".gz").read_bytes()) == SCRIPT


async def test_content_types_and_caching_of_other_files(console_url: str) -> None:
    expected = {
        "/assets/logo-D1e2f3.svg": "image/svg+xml",
        "/assets/font-E4f5a6.woff2": "font/woff2",
        "/robots.txt": "text/plain; charset=utf-8",
    }
    for path, kind in expected.items():
        response = await get(console_url, path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == kind
    woff = await get(console_url, "/assets/font-E4f5a6.woff2", **{"Accept-Encoding": "br"})
    assert "content-encoding" not in woff.headers and "vary" not in woff.headers
    public = await get(console_url, "/robots.txt")
    assert public.headers["cache-control"] == "no-cache"


async def test_index_has_a_fresh_nonce_per_response_matching_its_csp(console_url: str) -> None:
    nonces = []
    for path in ("/", "/", "/index.html", "/users/123/edit"):
        response = await get(console_url, path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "no-store"
        assert b"__CSP_NONCE__" not in response.content
        found = NONCE.search(response.text)
        assert found is not None
        nonce = found.group(1)
        assert response.text.count(f'nonce="{nonce}"') == 3
        policy = response.headers["content-security-policy"]
        assert f"style-src 'self' 'nonce-{nonce}';" in policy
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy
        nonces.append(nonce)
    assert len(set(nonces)) == len(nonces)
    assert all(len(n) >= 22 for n in nonces)


async def test_a_screens_address_preloads_its_chunks_and_no_other_does(console_url: str) -> None:
    users = '<link rel="modulepreload" crossorigin href="/assets/UserList-B2.js">'
    logs = '<link rel="preload" as="style" crossorigin href="/assets/logs-D4.css">'
    pages = {
        "/users": [users],
        "/users/": [],
        "/logs": [logs],
        "/logs/connections": [logs],
        "/signin": [],
        "/share/": [],
    }
    for path, links in pages.items():
        page = await get(console_url, path)
        head = page.text.split("</head>")[0]
        assert [link for link in (users, logs) if link in head] == links, path
        assert NONCE.search(page.text) is not None, path
    listed = await get(console_url, "/.fumidai-preloads.json")
    assert b"Shell-A1" not in listed.content  # the list itself is no URL: index.html answers


async def test_screens_fall_back_to_index_and_service_paths_never_do(console_url: str) -> None:
    for path in ("/users/123/edit", "/jobs", "/signin", "/share/abc-def", "/.fumidai-built"):
        response = await get(console_url, path)
        assert response.status_code == 200, path
        assert response.content.startswith(b"<!doctype html>"), path
    for path in (
        "/api",
        "/api/v1/nothing",
        "/agent/v1/nothing",
        "/user-api/v1/nothing",
        "/health/nothing",
        "/metrics/nothing",
    ):
        response = await get(console_url, path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json"), path
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["cache-control"] == "no-store"
    schema = await get(console_url, "/schema/nothing")  # Litestar's OpenAPI pages' own 404
    assert schema.status_code == 404 and b"csp-nonce" not in schema.content
    api = await get(console_url, "/api/v1/session")
    assert api.status_code == 401
    assert api.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    async with httpx.AsyncClient(base_url=console_url) as http:
        posted = await http.post("/users/123/edit")
    assert posted.status_code in (404, 405)
    assert posted.headers["content-type"].startswith("application/problem+json")


async def test_unknown_assets_are_404_problems_and_head_works(console_url: str) -> None:
    missing = await get(console_url, "/assets/index-Zz9.js")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    async with httpx.AsyncClient(base_url=console_url) as http:
        head = await http.head("/assets/index-Bx7kQ2.js", headers={"Accept-Encoding": "gzip"})
        whole = await http.get("/assets/index-Bx7kQ2.js", headers={"Accept-Encoding": "gzip"})
        index = await http.head("/jobs")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == whole.headers["content-length"]
    assert head.headers["content-encoding"] == "gzip"
    assert index.status_code == 200 and index.content == b""
    assert "'nonce-" in index.headers["content-security-policy"]


async def raw_get(url: str, target: str) -> tuple[int, bytes]:
    """A request line sent as written (HTTP clients would normalise the dots)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def test_no_path_reaches_outside_the_build(console_url: str) -> None:
    for target in (
        "/assets/../../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/assets/../../../../../../etc/passwd",
        "/assets/linked.js",
        "/assets/../../pyproject.toml",
    ):
        status, body = await raw_get(console_url, target)
        assert SECRET not in body and b"root:" not in body and b"[project]" not in body, target
        assert status in (200, 400, 404), target
        if status == 200:
            assert body.startswith(b"<!doctype html>"), target


async def test_without_a_build_the_console_answers_503_saying_how(
    gateway_settings: ServiceSettings, tmp_path: Path
) -> None:
    for ui_dir in (str(tmp_path / "missing"), ""):
        async with gateway_at(gateway_settings, ui_dir) as url:
            response = await get(url, "/")
            assert response.status_code == 503
            problem = response.json()
            assert problem["code"] == "console_not_built"
            assert "./fumidai up" in problem["detail"]
            assert (await get(url, "/users")).status_code == 503
            assert (await get(url, "/assets/index-Bx7kQ2.js")).status_code == 404
            assert (await get(url, "/health/live")).status_code == 200


def test_the_longest_prefix_wins_and_an_exact_address_first() -> None:
    patterns = ["/logs*", "/logs/*", "/share", "/share/*", ""]
    assert screen_pattern("/logs/connections", patterns) == "/logs/*"
    assert screen_pattern("/logs", patterns) == "/logs*"
    assert screen_pattern("/share", patterns) == "/share"
    assert screen_pattern("/share/signin", patterns) == "/share/*"
    assert screen_pattern("/users", patterns) == ""


async def test_the_consoles_answers_carry_a_request_id(console_url: str) -> None:
    """The console sits inside the request ids and access lines (decision 0045): each of
    its answers, a 404 too, names the id its (debug) access line carries."""
    answers = [
        await get(console_url, "/users/123/edit"),
        await get(console_url, "/assets/index-Bx7kQ2.js"),
        await get(console_url, "/assets/index-Zz9.js"),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 404]
    ids = {answer.headers["x-request-id"] for answer in answers}
    assert len(ids) == 3 and all(well_formed(one) for one in ids)
    assert all(len(answer.headers.get_list("x-request-id")) == 1 for answer in answers)
