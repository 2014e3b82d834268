"""Fixtures: a small scenario served from a background thread, and the real clients pointed at it
the way CLIENTS.md describes (tweepy through a rewriting HTTPAdapter, praw by its URL settings)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import praw
import pytest
import requests
import tweepy

from socialcx import ManualClock
from socialcx.sandbox import Budget, Incident, Sandbox, ScenarioSpec, generate

START = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday, midnight UTC
SMALL = ScenarioSpec(
    days=1,
    mentions=600,
    incidents=(Incident("checkout-outage", timedelta(hours=13), timedelta(hours=2), 80),),
)


class ToSandbox(requests.adapters.HTTPAdapter):
    """Sends what tweepy addresses to https://api.twitter.com to the sandbox, with a timeout."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__()
        self._base_url = base_url
        self._timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = self._base_url + (request.url or "").removeprefix("https://api.twitter.com")
        return super().send(request, **(kwargs | {"timeout": self._timeout}))


@pytest.fixture
def sandbox_clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def sandbox(sandbox_clock: ManualClock) -> Sandbox:
    """Six hundred mentions over one day plus an outage at 13:00, with the clock at 18:00."""
    sandbox = Sandbox(generate(SMALL, start=START, seed=3), clock=sandbox_clock)
    sandbox.limits.set("reddit", Budget(1_000_000, 600))  # praw paces itself by the budget left
    sandbox_clock.advance(timedelta(hours=18))
    return sandbox


@pytest.fixture
def base_url(sandbox: Sandbox) -> Iterator[str]:
    with sandbox.in_thread() as url:
        yield url


def x_client_for(base_url: str, *, timeout: float = 5.0, **options: Any) -> tweepy.Client:
    """A tweepy client for the sandbox at `base_url`, with user credentials (OAuth 1) and a bearer
    token, never waiting on rate limits."""
    client = tweepy.Client(
        bearer_token="sandbox-bearer",
        consumer_key="key",
        consumer_secret="secret",
        access_token="1-token",
        access_token_secret="token-secret",
        wait_on_rate_limit=False,
        **options,
    )
    client.session.trust_env = False
    client.session.mount("https://api.twitter.com", ToSandbox(base_url, timeout))
    return client


@pytest.fixture
def x_client(base_url: str) -> Callable[..., tweepy.Client]:
    """Makes more tweepy clients for the sandbox, with other timeouts or return types."""
    return functools.partial(x_client_for, base_url)


@pytest.fixture
def x(x_client: Callable[..., tweepy.Client]) -> tweepy.Client:
    return x_client()


@pytest.fixture
def reddit(base_url: str) -> praw.Reddit:
    return praw.Reddit(
        client_id="id",
        client_secret="secret",
        username="acme",
        password="password",
        user_agent="socialcx tests",
        oauth_url=base_url,
        reddit_url=base_url,
        short_url=base_url,
    )
