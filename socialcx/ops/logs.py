"""The daemon's log lines: plain text or one JSON object a line, each naming the channel and
watch being worked on, and never a secret.

    >>> handler = configure_logging(settings, "json")
    >>> with log_context(channel="x", watch="acme"):
    ...     logging.getLogger("socialcx.service.daemon").info("polled")
    {"time": "2026-11-25T09:00:00.120Z", "level": "INFO", "logger": "socialcx.service.daemon", "message": "polled", "channel": "x", "watch": "acme"}

The context lives in a context variable, so it follows the work into asyncio tasks and into
`asyncio.to_thread` workers, where the blocking clients log.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from socialcx.channels import Channel
from socialcx.config import Settings

__all__ = ["LogFormat", "RedactSecrets", "configure_logging", "log_context", "secret_values"]

LogFormat = Literal["text", "json"]
REDACTED = "[redacted]"
MIN_SECRET_CHARS = 4  # shorter values would blank out ordinary words all over the log
ACCOUNT_NAMES = frozenset({"username", "handle"})  # public on the platform: redacting them would blank out watch names

# Tokens that give access whoever reads them: an Authorization header's bearer token, and
# credentials passed in a query string (Mastodon and OAuth flows put them there).
_TOKEN_PATTERNS = (
    re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*"),
    re.compile(r"(?i)\b((?:access_token|refresh_token|client_secret|password|app_password)=)[^&\s\"']+"),
)

_context: ContextVar[dict[str, str]] = ContextVar("socialcx_log_context", default={})


@contextmanager
def log_context(**fields: str) -> Iterator[None]:
    """Add `fields` (channel, watch, job) to every line logged inside the block."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def secret_values(settings: Settings) -> set[str]:
    """Every secret the settings can read: channel credentials (but account names), the SMTP
    login, the database password."""
    names = [
        env for channel in Channel for key, env in settings.channels.get(channel).credentials.items() if key not in ACCOUNT_NAMES
    ]
    names += [name for name in (settings.mail.username_env, settings.mail.password_env) if name]
    values = {settings.secret(name) or "" for name in names}
    if settings.database_url:
        try:
            values.add(make_url(settings.database_url).password or "")
        except ArgumentError:
            pass
    return {value for value in values if len(value) >= MIN_SECRET_CHARS}


class RedactSecrets(logging.Filter):
    """Replaces known secret values and anything that looks like a token with `[redacted]`, in
    the message and in the trace, before any handler formats the record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted(set(secrets), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub(rf"\g<1>{REDACTED}", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        record.context = _context.get()
        return True


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "context", {}),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = getattr(record, "context", {})
        if not context:
            return line
        first, newline, rest = line.partition("\n")
        return first + " [" + " ".join(f"{key}={value}" for key, value in context.items()) + "]" + newline + rest


def configure_logging(
    settings: Settings, fmt: LogFormat, *, level: int = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record to `stream` (stderr) in `fmt`, secrets redacted; returns the handler,
    which replaces one installed by an earlier call."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_JsonFormatter() if fmt == "json" else _TextFormatter())
    handler.addFilter(RedactSecrets(secret_values(settings)))
    handler.set_name("socialcx")
    root = logging.getLogger()
    for old in [old for old in root.handlers if old.get_name() == "socialcx"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))  # a line per job run otherwise
    return handler
