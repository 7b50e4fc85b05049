"""structlog JSON lines, one per event, with secrets redacted before they are written."""

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog
import structlog.tracebacks

# Keys whose values are never written, whatever logs them. Matching is by substring so
# ``initial_password`` and ``totp_secret_enc`` are covered too.
_SECRET_KEYS = ("password", "secret", "totp", "token", "cookie", "authorization", "otp")


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if any(marker in key.lower() for marker in _SECRET_KEYS):
            event[key] = "[redacted]"
    return event


_TRACEBACKS = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
)
"""Tracebacks as JSON, frames without their local variables. structlog's default shows
them, and a request that failed unexpectedly would write what its frames held — the
password, the second password, the TOTP code of a sign-in — where no key is ever
seen by ``_redact``."""


def configure(service: str, level: str = "info", stream: TextIO | None = None) -> None:
    """Send structlog and stdlib logging to ``stream`` (stdout) as JSON lines tagged with
    ``service``."""
    out = stream or sys.stdout
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    structlog.configure(
        processors=[
            *shared,
            _TRACEBACKS,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=structlog.processors.JSONRenderer(ensure_ascii=False),
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(numeric, logging.INFO))
