"""The daemon against the sandbox: a one-day scenario on a clock the test moves, and settings
pointing Hacker News (no credentials) and X (credentials, to check they never reach a log) at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from socialcx import ManualClock
from socialcx.config import Settings
from socialcx.sandbox import Incident, Sandbox, ScenarioSpec, generate

# In the past, so that what the sandbox serves is never newer than the wall clock of a daemon
# started as a process.
START = (datetime.now(UTC) - timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
SPEC = ScenarioSpec(days=1, mentions=600, incidents=(Incident("checkout-outage", timedelta(hours=13), timedelta(hours=2), 80),))

X_SECRETS = {
    "bearer_token": "x-bearer-Qm9vZ3Vz",
    "consumer_key": "x-key-7f3a9c",
    "consumer_secret": "x-secret-e81b2d",
    "access_token": "1-x-token-44c0de",
    "access_token_secret": "x-token-secret-9d1f",
}
WATCH = {"name": "acme", "handles": ["@acme"], "keywords": ["acme"], "hashtags": ["#acme"]}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START + timedelta(hours=12))


@pytest.fixture
def sandbox(clock: ManualClock) -> Sandbox:
    return Sandbox(generate(SPEC, start=START, seed=5), clock=clock, wall=lambda: clock.now().timestamp())


@pytest.fixture
def base_url(sandbox: Sandbox) -> Iterator[str]:
    with sandbox.in_thread() as url:
        yield url


def channels(base_url: str, *, interval: int = 60) -> dict[str, Any]:
    """X and Hacker News on the sandbox; X's credentials are read from SANDBOX_X_* variables."""
    x_credentials = {key: f"SANDBOX_X_{key.upper()}" for key in X_SECRETS}
    return {
        "x": {"enabled": True, "base_url": base_url, "poll_interval_seconds": interval, "credentials": x_credentials},
        "hackernews": {"enabled": True, "base_url": base_url, "poll_interval_seconds": interval},
    }


@pytest.fixture
def settings_for(base_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """Settings for the daemon on the sandbox; keyword arguments add or replace sections."""
    for key, value in X_SECRETS.items():
        monkeypatch.setenv(f"SANDBOX_X_{key.upper()}", value)

    def make(**sections: Any) -> Settings:
        return Settings(**{"channels": channels(base_url), "watches": [WATCH], "daemon": {"http_port": 0}} | sections)

    return make
