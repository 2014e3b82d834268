"""Connectors against the sandbox: a one-day scenario served from a background thread, settings
that point a channel at it, and connectors built from those settings exactly as the poller
builds them. The sandbox's rate-limit windows follow the test clock, so tests can wait out a
429 by moving the clock."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from connectors import bluesky, connector_class
from connectors.base import Connector, RetryPolicy
from socialcx import Channel, ManualClock, connect
from socialcx.config import Settings
from socialcx.sandbox import Budget, Incident, Sandbox, ScenarioSpec, generate
from socialcx.sandbox.limits import RateState

START = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday, midnight UTC
SPEC = ScenarioSpec(
    days=1,
    mentions=600,
    incidents=(Incident("checkout-outage", timedelta(hours=13), timedelta(hours=2), 80),),
)

# Credential names as in the example config; the values are placeholders the sandbox accepts.
CREDENTIALS = {
    Channel.X: ("bearer_token", "consumer_key", "consumer_secret", "access_token", "access_token_secret"),
    Channel.REDDIT: ("client_id", "client_secret", "username", "password"),
    Channel.MASTODON: ("access_token",),
    Channel.BLUESKY: ("handle", "app_password"),
}
# Values the sandbox checks; every other credential is a placeholder.
CREDENTIAL_VALUES = {"handle": "acme.bsky.social"}

# The watch every connector test follows: the sandbox's brand is "acme".
WATCH = {
    "name": "acme",
    "handles": ["@acme"],
    "keywords": ["acme"],
    "subreddits": ["acme"],
    "feeds": ["/feeds/reviews.xml", "/feeds/blog.atom"],  # paths under the RSS base_url
}


@pytest.fixture(autouse=True)
def _no_kept_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test logs in afresh: a sandbox may reuse the port of one a test before it stopped."""
    monkeypatch.setattr(bluesky, "_CLIENTS", {})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def sandbox(clock: ManualClock) -> Sandbox:
    """Six hundred mentions over one day plus an outage at 13:00, with the clock at 18:00."""
    sandbox = Sandbox(generate(SPEC, start=START, seed=5), clock=clock, wall=lambda: clock.now().timestamp())
    sandbox.limits.set("reddit", Budget(1_000_000, 600))  # praw paces itself by the budget left
    clock.advance(timedelta(hours=18))
    return sandbox


@pytest.fixture
def served(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The requests the sandbox answered, by rate-limit bucket (`reddit`, `reddit.token`, `x`, …):
    what a connector cost, counted on the server's side."""
    counts: Counter[str] = Counter()
    consume = sandbox.limits.consume

    def counting(bucket: str) -> RateState:
        counts[bucket] += 1
        return consume(bucket)

    monkeypatch.setattr(sandbox.limits, "consume", counting)
    return counts


@pytest.fixture
def base_url(sandbox: Sandbox) -> Iterator[str]:
    with sandbox.in_thread() as url:
        yield url


@pytest.fixture
def settings_for(base_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """Settings with `channel` enabled against the sandbox and the `acme` watch on it."""

    def make(channel: Channel, **channel_options) -> Settings:
        credentials = {}
        for key in CREDENTIALS.get(channel, ()):
            env_name = f"SANDBOX_{channel.upper()}_{key.upper()}"
            monkeypatch.setenv(env_name, CREDENTIAL_VALUES.get(key, f"sandbox-{key}"))
            credentials[key] = env_name
        channel_options = {"enabled": True, "base_url": base_url, "credentials": credentials} | channel_options
        return Settings(channels={channel.value: channel_options}, watches=[{**WATCH, "channels": [channel.value]}])

    return make


class Sleeps:
    """Records the backoff a connector asked for instead of sleeping through it."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def connector_for(settings_for, clock, sleeps) -> Callable[..., Connector]:
    """A connector for `channel` built as the poller builds it, with backoff recorded not slept."""

    def make(channel: Channel, **channel_options) -> Connector:
        settings = settings_for(channel, **channel_options)
        return connector_class(channel)(
            settings.channels.get(channel), settings, clock=clock, retry=RetryPolicy(attempts=3), sleep=sleeps
        )

    return make


@pytest.fixture
def db(tmp_path) -> Iterator[sa.Engine]:
    """A fresh SQLite store for the batches a test ingests."""
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")
    yield engine
    engine.dispose()


class _Refusing(BaseHTTPRequestHandler):
    """A platform that refuses us: each path answers with the status and JSON in `answers`."""

    answers: dict[str, tuple[int, dict]] = {}

    def do_GET(self) -> None:
        status, body = self.answers.get(self.path.split("?")[0], (404, {}))
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def refusing() -> Iterator[type[_Refusing]]:
    """A local server in the role of a platform that refuses our credentials; its URL is `.url`."""
    handler = type("Answers", (_Refusing,), {"answers": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serving = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    serving.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield handler
    server.shutdown()
    server.server_close()
