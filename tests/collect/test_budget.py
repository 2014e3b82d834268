"""The read budget: never exceeded, shared evenly, and honest about when it runs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from socialcx import Channel, ManualClock
from socialcx.collect.budget import ReadBudget
from socialcx.config import ChannelConfig


def budget(engine, clock, **limits) -> ReadBudget:
    return ReadBudget(engine, Channel.X, ChannelConfig(enabled=True, **limits), clock)


def test_reservations_never_exceed_the_window(engine, clock):
    x = budget(engine, clock, requests_per_window=10)

    granted = [x.reserve(4) for _ in range(4)]

    assert granted == [4, 4, 2, 0]
    assert x.status().window_left == 0


def test_the_window_resets_on_its_boundary(engine, clock):
    x = budget(engine, clock, requests_per_window=5, window_minutes=15)
    assert x.reserve(5) == 5
    assert x.reserve(1) == 0
    resets = x.status().window_resets_at

    clock.advance(resets - clock.now())

    assert x.reserve(5) == 5


def test_refunds_give_back_what_a_poll_did_not_use(engine, clock):
    x = budget(engine, clock, requests_per_window=10)
    x.reserve(8)
    x.refund(6)

    assert x.status().window_left == 8


def test_two_budgets_on_one_store_share_the_limit(engine, clock):
    # two replicas of the daemon, each with its own ReadBudget object
    first, second = budget(engine, clock, requests_per_window=7), budget(engine, clock, requests_per_window=7)

    assert first.reserve(5) + second.reserve(5) == 7


def test_the_window_is_shared_evenly_among_watches(engine, clock):
    x = budget(engine, clock, requests_per_window=30, max_requests_per_poll=100)

    assert x.allowance(watches=3) == 10
    x.reserve(27)
    assert x.allowance(watches=3) == 1  # 3 left: one each
    x.reserve(3)
    assert x.allowance(watches=3) == 0


def test_allowance_is_capped_per_poll_when_unlimited(engine, clock):
    assert budget(engine, clock, max_requests_per_poll=7).allowance(watches=1) == 7


def test_the_month_is_spent_at_an_even_pace(engine):
    # 300 requests a month, polled hourly by 2 watches: less than one request per poll
    clock = ManualClock(datetime(2026, 11, 1, tzinfo=UTC))
    x = budget(engine, clock, requests_per_month=300, poll_interval_seconds=3600)

    spent = 0
    for _ in range(30 * 24):  # every hour for the whole month
        for _watch in range(2):
            spent += x.reserve(x.allowance(watches=2))
        clock.advance(timedelta(hours=1))
        if clock.now() == datetime(2026, 11, 16, tzinfo=UTC):
            halfway = spent

    assert spent == 300
    assert 140 <= halfway <= 160  # evenly through the month, not all on the first day


def test_status_says_when_the_month_runs_out_at_the_current_pace(engine):
    clock = ManualClock(datetime(2026, 11, 11, tzinfo=UTC))  # 10 days into a 30-day month
    x = budget(engine, clock, requests_per_month=1000)
    x.reserve(500)

    status = x.status()

    assert status.month_left == 500 and status.month_used == 500
    assert status.runs_out_at == datetime(2026, 11, 21, tzinfo=UTC)
    assert status.month_resets_at == datetime(2026, 12, 1, tzinfo=UTC)


def test_an_unlimited_channel_counts_but_never_refuses(engine, clock):
    x = budget(engine, clock)

    assert x.reserve(1000) == 1000
    status = x.status()
    assert not status.limited and status.month_used == 1000 and status.runs_out_at is None
