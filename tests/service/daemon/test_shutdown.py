"""`socialcx run` as a process: SIGTERM in the middle of a poll ends it cleanly within 10 s, and
a restart picks up from the stored cursors with nothing lost and nothing stored twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.ops.alerts.conftest import free_port
from tests.service.daemon.conftest import X_SECRETS

REPO = Path(__file__).resolve().parents[3]


def write_config(folder: Path, base_url: str, port: int) -> Path:
    (folder / "secrets.env").write_text(
        "".join(f"SANDBOX_X_{key.upper()}={value}\n" for key, value in X_SECRETS.items()), encoding="utf-8"
    )
    credentials = ", ".join(f'{key} = "SANDBOX_X_{key.upper()}"' for key in X_SECRETS)
    config = folder / "socialcx.toml"
    config.write_text(
        f"""data_dir = "."
secrets_file = "secrets.env"

[[watches]]
name = "acme"
channels = ["x", "hackernews"]
handles = ["@acme"]
keywords = ["acme"]
hashtags = ["#acme"]

[channels.x]
enabled = true
poll_interval_seconds = 10
base_url = "{base_url}"
credentials = {{ {credentials} }}

[channels.hackernews]
enabled = true
poll_interval_seconds = 10
base_url = "{base_url}"

[daemon]
http_port = {port}
log_format = "json"
""",
        encoding="utf-8",
    )
    return config


def start(config: Path, log: Path, runner: str = "tests.service.daemon.stub_run") -> subprocess.Popen:
    """`socialcx run` as a process, through `runner` (a module standing in for the command)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOCIALCX_")}
    env["PYTHONPATH"] = str(REPO)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", runner, "--config", str(config), "run"],
            cwd=config.parent, env=env, stdout=out, stderr=subprocess.STDOUT,
        )


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def stop(daemon: subprocess.Popen) -> tuple[int, float]:
    """SIGTERM, then the exit status and how long the process took to go."""
    sent = time.monotonic()
    daemon.send_signal(signal.SIGTERM)
    try:
        status = daemon.wait(timeout=15)
    except subprocess.TimeoutExpired:
        daemon.kill()
        raise
    return status, time.monotonic() - sent


def stored(engine: sa.Engine) -> list[tuple[str, str]]:
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text("SELECT channel, external_id FROM mention"))]
    except sa.exc.OperationalError:  # not created yet
        return []


def truth(base_url: str) -> list[tuple[str, str]]:
    found = []
    for channel in ("x", "hackernews"):
        with urllib.request.urlopen(f"{base_url}/_sandbox/truth?channel={channel}") as answer:
            found += [(channel, item["external_id"]) for item in json.load(answer)]
    return found


@pytest.fixture
def held_search(sandbox, monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Hacker News's first search is held unanswered until the test lets it go: the events
    `asked` (the request came in) and `release` (answer it now)."""
    asked, release = threading.Event(), threading.Event()
    answer = sandbox._answer

    async def holding(request, handler, api, route):
        if route.name == "hackernews.search" and not asked.is_set():
            asked.set()
            await asyncio.to_thread(release.wait, 60)
        return await answer(request, handler, api, route)

    monkeypatch.setattr(sandbox, "_answer", holding)  # the middleware looks it up on each request
    return asked, release


def test_sigterm_in_the_middle_of_a_poll_then_a_restart_loses_and_duplicates_nothing(
    tmp_path, sandbox, held_search, base_url, clock
):
    config = write_config(tmp_path, base_url, free_port())
    log = tmp_path / "daemon.log"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'socialcx.db'}")
    asked, release = held_search

    daemon = start(config, log)
    try:
        # X's batch is stored while Hacker News waits for its held answer: stop it right there.
        wait_for(lambda: stored(engine) and asked.is_set(), 60, "X's mentions and Hacker News in flight")
        daemon.send_signal(signal.SIGTERM)
        wait_for(lambda: "SIGTERM received: stopping" in log.read_text(), 10, "the daemon to take SIGTERM")
        assert daemon.poll() is None and {channel for channel, _ in stored(engine)} == {"x"}
        release.set()  # the poll in flight ends now, after the signal
        assert daemon.wait(timeout=10) == 0, log.read_text()
        first = stored(engine)
        assert {channel for channel, _ in first} == {"x", "hackernews"}  # the batch in flight was committed

        clock.advance(timedelta(hours=6))  # more mentions on both channels
        daemon = start(config, log)
        expected = truth(base_url)
        wait_for(lambda: len(stored(engine)) >= len(expected), 60, "the restarted daemon to catch up")
        status, took = stop(daemon)
        assert status == 0, log.read_text()
        assert took < 10
    finally:
        release.set()
        if daemon.poll() is None:
            daemon.kill()
        engine.dispose()

    rows = stored(engine)
    assert len(rows) == len(set(rows))
    assert sorted(rows) == sorted(expected)
    assert set(first) < set(rows)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(line["message"] == "SIGTERM received: stopping" for line in lines)
    assert not any(secret in log.read_text() for secret in X_SECRETS.values())
