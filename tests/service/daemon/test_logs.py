"""Structured logs: one JSON object a line with the channel and watch, and never a secret."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from socialcx import Channel, connect
from socialcx.ops.logs import configure_logging, log_context
from socialcx.service.daemon import Daemon
from tests.service.daemon.conftest import X_SECRETS


@pytest.fixture
def captured():
    """Where the log goes; the root logger is put back afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    yield stream
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.NOTSET)


def test_a_poll_run_logs_json_lines_with_context_and_no_credential(settings_for, clock, tmp_path, captured):
    settings = settings_for()
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    configure_logging(settings, "json", level=logging.DEBUG, stream=captured)  # the clients' own debug lines too
    daemon = Daemon(settings, engine, clock)

    asyncio.run(daemon.poll(Channel.X, "acme"))
    with log_context(channel="x", watch="acme"):
        logging.getLogger("connectors.x").debug(
            "retrying with Authorization: Bearer %s (consumer secret %s)", X_SECRETS["bearer_token"], X_SECRETS["consumer_secret"]
        )
        logging.getLogger("socialcx.test").info("token in a URL: https://example.com/api?access_token=abc123def")
    engine.dispose()

    output = captured.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    polled = [line for line in lines if line["message"].startswith("polled:")]
    assert polled and polled[0]["channel"] == "x" and polled[0]["watch"] == "acme"
    assert any(line["logger"].startswith(("urllib3", "tweepy", "requests")) for line in lines)  # the clients spoke
    for secret in X_SECRETS.values():
        assert secret not in output
    assert "abc123def" not in output
    assert lines[-2]["message"] == "retrying with Authorization: Bearer [redacted] (consumer secret [redacted])"


def test_text_logs_end_with_their_context(settings_for, captured):
    configure_logging(settings_for(), "text", stream=captured)

    with log_context(channel="reddit", watch="acme"):
        logging.getLogger("socialcx.service.daemon").warning("poll failed: 503")

    assert captured.getvalue().rstrip().endswith("WARNING socialcx.service.daemon: poll failed: 503 [channel=reddit watch=acme]")
