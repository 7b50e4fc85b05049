"""structlog lines, one per event, each naming the work's correlation id, with secrets
redacted before they are written: JSON lines for deployments, plain text by default."""

import functools
import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import msgspec
import structlog
import structlog.tracebacks

from libs.events.correlation import current_correlation

LogFormat = Literal["text", "json"]

# Keys whose values are never written, whatever logs them. Matching is by substring so
# ``initial_password`` and ``totp_secret_enc`` are covered too.
_SECRET_KEYS = ("password", "secret", "totp", "token", "cookie", "authorization", "otp")


@functools.lru_cache(maxsize=4096)
def _names_a_secret(key: str) -> bool:
    # Cached: keys come from code, a few hundred at most, and the scan of every key of
    # every line was most of what an access line cost (decision 0045).
    lowered = key.lower()
    return any(marker in lowered for marker in _SECRET_KEYS)


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if _names_a_secret(key):
            event[key] = "[redacted]"
    return event


def _add_correlation(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Name the request or event being handled (``libs.events.correlation``), if any."""
    correlation = current_correlation()
    if correlation is not None:
        event.setdefault("correlation_id", correlation)
    return event


_TRACEBACKS = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
)
"""Tracebacks as JSON, frames without their local variables. structlog's default shows
them, and a request that failed unexpectedly would write what its frames held — the
password, the second password, the TOTP code of a sign-in — where no key is ever
seen by ``_redact``."""


def _json_line(event: MutableMapping[str, Any], **_: Any) -> str:
    """One JSON line, by msgspec: every request writes one (its access line), and the
    standard library's encoder was a third of what writing it cost. Anything msgspec
    cannot encode is written as its ``repr``."""
    return _ENCODER.encode(event).decode()


_ENCODER = msgspec.json.Encoder(enc_hook=repr)


def _renderer(log_format: LogFormat) -> Any:
    if log_format == "json":
        return structlog.processors.JSONRenderer(serializer=_json_line)
    return structlog.dev.ConsoleRenderer(colors=False)


def configure(
    service: str,
    level: str = "info",
    stream: TextIO | None = None,
    log_format: LogFormat = "json",
) -> None:
    """Send structlog and stdlib logging to ``stream`` (stdout) as lines tagged with
    ``service`` and the current correlation id, in ``log_format``."""
    out = stream or sys.stdout
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_correlation,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    structlog.configure(
        processors=[*shared, _TRACEBACKS, _renderer(log_format)],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=_renderer(log_format), foreign_pre_chain=shared
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(numeric, logging.INFO))
