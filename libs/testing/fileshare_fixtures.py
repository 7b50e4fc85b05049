"""Session fixtures of the file-sharing tests: a real clamd and real SMTP servers.

clamd is Debian's ``clamav-daemon`` started privately (``libs.devservers.clamd``), with
the official signatures when the machine has them and the EICAR test signature otherwise;
``FUMIDAI_TEST_CLAMD_HOST`` and ``FUMIDAI_TEST_CLAMD_PORT`` point the tests at a clamd of
your own instead. Each test that wants mail gets its own aiosmtpd server on a free port.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from libs.devservers.clamd import ClamdError, EmbeddedClamd, ping
from libs.devservers.smtp import MailCatcher


@dataclass(frozen=True)
class ClamdServer:
    host: str
    port: int
    test_signatures_only: bool
    pid: int | None = None
    """The process of a clamd this session started (a test may pause it); None for yours."""


@pytest.fixture(scope="session")
def clamd_server() -> Iterator[ClamdServer]:
    """The session's clamd."""
    host = os.environ.get("FUMIDAI_TEST_CLAMD_HOST")
    port = os.environ.get("FUMIDAI_TEST_CLAMD_PORT")
    if host and port:
        if not ping(host, int(port)):
            pytest.fail(f"FUMIDAI_TEST_CLAMD_HOST/PORT: no clamd answers at {host}:{port}")
        yield ClamdServer(host, int(port), test_signatures_only=False)
        return
    # Searchable by the unprivileged clamav user clamd runs as when we are root.
    tmp = Path(tempfile.mkdtemp(prefix="fumidai-clamd-"))
    tmp.chmod(0o755)
    clamd = EmbeddedClamd(tmp / "clamd")
    try:
        clamd.start()
    except ClamdError as error:
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.fail(f"{error}\n(./fumidai test installs clamav-daemon; see fumidai_cli/system.py)")
    try:
        yield ClamdServer(clamd.host, clamd.port, clamd.test_signatures_only, clamd.pid)
    finally:
        clamd.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def mail_catcher() -> Iterator[MailCatcher]:
    """A real SMTP server of this test's own, keeping what it receives."""
    with MailCatcher() as catcher:
        yield catcher
