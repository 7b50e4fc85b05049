"""What the services' logs may hold: never a secret (pure: structlog in process)."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from libs.events.correlation import correlated
from libs.runtime.logging import configure


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    """What a service configured by ``configure`` writes."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    written = io.StringIO()
    configure("test", stream=written)
    try:
        yield written
    finally:
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
        root.handlers[:], root.level = handlers, level


def last_line(written: io.StringIO) -> dict[str, Any]:
    line: dict[str, Any] = json.loads(written.getvalue().strip().splitlines()[-1])
    return line


def sign_in(password: str, second_password: str) -> None:
    totp_code = "123456"
    raise RuntimeError(f"unexpected failure after {len(password + second_password + totp_code)}")


def test_a_logged_failure_shows_its_frames_but_not_what_they_held(
    service_log: io.StringIO,
) -> None:
    try:
        sign_in("xTH+oH%V4J#c%wym", "second-Secret-9")
    except RuntimeError:
        structlog.get_logger("test").exception("unhandled_error", path="/api/v1/session")
    written = service_log.getvalue()
    assert "xTH+oH%V4J#c%wym" not in written and "second-Secret-9" not in written
    assert "123456" not in written
    line = last_line(service_log)
    frames = line["exception"][0]["frames"]
    assert frames[-1]["name"] == "sign_in" and "locals" not in frames[-1]
    assert line["exception"][0]["exc_type"] == "RuntimeError"


def test_keys_naming_a_secret_are_redacted(service_log: io.StringIO) -> None:
    structlog.get_logger("test").info(
        "signed_in", account="admin01", initial_password="p4ss", session_token="t0k"
    )
    line = last_line(service_log)
    assert line["account"] == "admin01"
    assert line["initial_password"] == line["session_token"] == "[redacted]"


def test_every_line_names_the_work_in_hand(service_log: io.StringIO) -> None:
    with correlated("request-9"):
        structlog.get_logger("fresh").info("in_request")
        logging.getLogger("stdlib").warning("from the standard library")
    structlog.get_logger("fresh").info("outside")
    inside, stdlib, outside = (json.loads(x) for x in service_log.getvalue().splitlines())
    assert inside["correlation_id"] == stdlib["correlation_id"] == "request-9"
    assert inside["service"] == stdlib["service"] == "test"
    assert "correlation_id" not in outside


def test_text_lines_for_people_still_redact() -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    written = io.StringIO()
    configure("test", stream=written, log_format="text")
    try:
        with correlated("request-10"):
            structlog.get_logger("fresh").info("signed_in", account="admin01", password="p4ss")
    finally:
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
        root.handlers[:], root.level = handlers, level
    line = written.getvalue()
    assert "signed_in" in line and "correlation_id=request-10" in line
    assert "p4ss" not in line and not line.startswith("{")


def test_a_value_json_cannot_hold_is_written_as_its_repr(service_log: io.StringIO) -> None:
    """A line is always one JSON object, whatever was logged with it; Japanese unescaped."""

    class Opaque:
        def __repr__(self) -> str:
            return "<opaque 端末>"

    structlog.get_logger("test").info("odd", value=Opaque(), label="端末確認")
    line = last_line(service_log)
    assert line["value"] == "<opaque 端末>" and line["label"] == "端末確認"
    assert "端末確認" in service_log.getvalue()
