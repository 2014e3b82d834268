"""Faults: queued per route, counted as they fire, and refused when they could never fire."""

from __future__ import annotations

import pytest

from socialcx.sandbox import Faults

ROUTES = {"x.search": True, "x.me": False, "reddit.comments": True}


def test_a_fault_fires_as_many_times_as_asked_then_goes() -> None:
    faults = Faults(ROUTES)
    fault = faults.add(route="x.search", kind="429", times=2)
    assert fault.seconds == 60.0  # the default reset of a 429 burst
    assert faults.take("x.me") is None
    assert faults.take("x.search") is fault and faults.take("x.search") is fault
    assert faults.take("x.search") is None and fault.fired == 2 and not faults.active()


def test_faults_fire_in_order_and_patterns_match_many_routes() -> None:
    faults = Faults(ROUTES)
    first = faults.add(route="x.*", kind="503")
    second = faults.add(route="*", kind="slow", times=None, seconds=0.5)
    assert faults.take("x.me") is first
    assert [faults.take(route) for route in ("x.me", "reddit.comments", "x.search")] == [second] * 3
    assert faults.active() == [second] and second.fired == 3
    assert faults.clear("*") == 1 and faults.take("x.me") is None


def test_item_faults_skip_routes_without_items() -> None:
    faults = Faults(ROUTES)
    deleted = faults.add(route="x.*", kind="deleted", items=3)
    assert faults.take("x.me") is None
    assert faults.take("x.search") is deleted


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"route": "x.serch", "kind": "503"}, "no route matches"),
        ({"route": "x.search", "kind": "404"}, "unknown fault kind"),
        ({"route": "x.me", "kind": "duplicates"}, "lists none"),
        ({"route": "x.search", "kind": "503", "times": 0}, "times"),
        ({"route": "x.search", "kind": "deleted", "items": 0}, "items"),
    ],
)
def test_a_fault_that_could_never_fire_is_refused(arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Faults(ROUTES).add(**arguments)
