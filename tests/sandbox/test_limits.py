"""Rate-limit windows: counted per bucket, refused past the budget, fresh once the window ends."""

from __future__ import annotations

import pytest

from socialcx.sandbox import Budget, RateLimits


def test_a_window_fills_up_then_resets() -> None:
    now = [1_000.0]
    limits = RateLimits({"x.search": Budget(2, 60), "x.me": Budget(5, 60)}, wall=lambda: now[0])
    states = [limits.consume("x.search") for _ in range(3)]
    assert [(state.remaining, state.exceeded) for state in states] == [
        (1, False),
        (0, False),
        (0, True),
    ]
    assert states[-1].reset_at == 1_060.0 and states[-1].reset_in == 60
    assert limits.consume("x.me").remaining == 4  # buckets are separate
    now[0] = 1_060.5
    assert limits.consume("x.search").remaining == 1


def test_budgets_can_be_changed_but_not_invented() -> None:
    limits = RateLimits({"reddit": Budget(1000, 600)})
    limits.set("reddit", Budget(5, 10))
    assert limits.budgets() == {"reddit": Budget(5, 10)} and limits.consume("reddit").remaining == 4
    with pytest.raises(ValueError, match="no rate-limit bucket"):
        limits.set("mastodon", Budget(5, 10))
    with pytest.raises(ValueError):
        limits.set("reddit", Budget(0, 10))
