"""The real console build: ``ensure_ui`` installs and builds ui/ as ``./fumidai up`` does,
and the gateway finds in the build every file its ``index.html`` names."""

import re

from fumidai_cli.ui import BUILD_STAMP, DIST, GENERATED, build_inputs, digest, ensure_ui, log_path
from services.gateway.api.console import Console


def test_ensure_ui_builds_the_console_once_and_the_gateway_can_serve_it() -> None:
    assert ensure_ui(), f"the UI did not build; see {log_path()}"
    index = (DIST / "index.html").read_text()
    assert '<meta property="csp-nonce" nonce="__CSP_NONCE__">' in index
    assert BUILD_STAMP.read_text().strip() == digest(build_inputs())
    assert all(path.is_file() for path in GENERATED)  # the API types, from docs/api

    named = re.findall(r'(?:src|href)="(/assets/[^"]+)"', index)
    assert any(name.endswith(".js") for name in named)
    console = Console(DIST)
    for name in named:
        served = console.files[name]
        assert served.cache_control == b"public, max-age=31536000, immutable"
        assert {"br", "gzip"} <= served.bodies.keys(), name  # written by the build
        assert (DIST / (name.lstrip("/") + ".br")).is_file(), name

    logged = log_path().stat().st_size
    assert ensure_ui()  # nothing changed: no npm run at all
    assert log_path().stat().st_size == logged
