"""Local stand-ins for the channels' HTTP APIs, fed by scenarios on an accelerated clock.

The real clients (tweepy, praw) talk to it over HTTP exactly as to the platforms; tests, the demo
and the benchmarks all run on it. `serve` is what `socialcx sandbox` runs; `Sandbox` is the
in-process form, with its faults, rate limits and the truth behind every generated mention.

    >>> sandbox = Sandbox(load_scenario("default", start=clock.now(), seed=7), clock=clock)
    >>> with sandbox.in_thread() as base_url:
    ...     sandbox.faults.add(route="x.search", kind="429", times=2)
"""

from __future__ import annotations

from socialcx.sandbox.app import Sandbox, serve
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
