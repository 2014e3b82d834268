"""Local stand-ins for the channels' HTTP APIs, fed by scenarios on an accelerated clock.

The real clients (tweepy, praw) talk to it over HTTP exactly as to the platforms; tests, the demo
and the benchmarks all run on it. `serve` is what `socialcx sandbox` runs; `Sandbox` is the
in-process form, with its faults, rate limits and the truth behind every generated mention.

    >>> sandbox = Sandbox(load_scenario("default", start=clock.now(), seed=7), clock=clock)
    >>> with sandbox.in_thread() as base_url:
    ...     sandbox.faults.add(route="x.search", kind="429", times=2)

Private messages (X direct messages, Mastodon direct statuses, Reddit messages, Bluesky chat) are
served as the platforms document them, kept apart from public posts. Tests and the benchmark's
scripted customer act on them through the sandbox, the same way on every channel that has them
(`handle` in any form the channel writes it: `jane_d`, `@jane_d`, `jane_d@mastodon.social`,
`jane-d.bsky.social`):

    sandbox.write_private(channel, handle, text, at=None) -> str
        `handle` sends our account `text` privately at `at` (default now; a later time shows up
        when the clock gets there; never earlier than what was already read, as a platform stamps
        a message when it arrives); the message id, as the platform's API writes it. `handle` may
        be anyone who posted on the channel (the author of an injected post) or a newcomer. On
        Mastodon the text is addressed to us (`@acme …`); on Reddit it answers in the latest
        thread with us. ValueError on a channel without private messages (HN, RSS).
    sandbox.private_messages_to(channel, handle) -> list[PrivateRecord]
        what our account sent `handle`, oldest first: `.id`, `.conversation_id`, `.sender`,
        `.recipient`, `.text` (on Mastodon it opens with `@handle `, as a direct status does),
        `.at`
    sandbox.private_messages_from(channel, handle) -> list[PrivateRecord]
        what `handle` sent our account, oldest first

Another process uses `POST /_sandbox/private` ({"channel", "from", "text", "at"?}) and
`GET /_sandbox/private?channel=…&to=…` (`app.py`).
"""

from __future__ import annotations

from socialcx.sandbox.app import Sandbox, serve
from socialcx.sandbox.base import PrivateRecord
from socialcx.sandbox.faults import Fault, FaultKind, Faults
from socialcx.sandbox.limits import Budget, RateLimits
from socialcx.sandbox.scenario import (
    SCENARIOS,
    Incident,
    Scenario,
    ScenarioSpec,
    Truth,
    generate,
    load_scenario,
    replay,
)
from socialcx.sandbox.shop import Shop, ShopState, ShopStateError, parse_shop, shop_state

__all__ = [
    "SCENARIOS",
    "Budget",
    "Fault",
    "FaultKind",
    "Faults",
    "Incident",
    "PrivateRecord",
    "RateLimits",
    "Sandbox",
    "Scenario",
    "ScenarioSpec",
    "Shop",
    "ShopState",
    "ShopStateError",
    "Truth",
    "generate",
    "load_scenario",
    "parse_shop",
    "replay",
    "serve",
    "shop_state",
]
