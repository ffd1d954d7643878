"""Structured logging, configured in one place.

Every module logs through `get_logger(__name__)` with key-value events
(`log.info("list loaded", source=..., version_id=...)`). Output goes to stderr through the standard
library: human-readable lines, or one JSON object per line when `SCREENING_LOG_JSON` is set. The
context a run knows (`run_id`, `source`, `version_id`, `job_id`) is bound with `bound(...)` and carried
by every event inside it. Never log an account's name or ID number at INFO or above: log counts and
account ids only.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from screening import settings

_HANDLER_NAME = "screening"
_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure(*, json: bool | None = None, level: str | None = None) -> None:
    """(Re)configure logging: JSON or human lines on the current stderr, at `level`."""
    json = settings.log_json() if json is None else json
    level_name = (level or settings.log_level()).upper()
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level_name, logging.WARNING))


structlog.configure(
    # filter_by_level first: an event below the logger's level is dropped before the processors format
    # its timestamp (a request's access-log line cost tens of µs with INFO off)
    processors=[structlog.stdlib.filter_by_level, *_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)


@contextmanager
def bound(**context: Any) -> Iterator[None]:
    """Bind `run_id`, `source`, `version_id`… to every event logged inside (this thread/task)."""
    with structlog.contextvars.bound_contextvars(**{k: v for k, v in context.items() if v is not None}):
        yield
