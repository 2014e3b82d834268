"""Time: one injected clock, and the time values people type on the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcx.clock import ManualClock, parse_time

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24", datetime(2026, 11, 24, tzinfo=UTC)),
        ("2026-11-24T09:30", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("2026-11-24T09:30:00+02:00", datetime(2026, 11, 24, 7, 30, tzinfo=UTC)),
        ("2026-11-24T09:30:00Z", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("90m", NOW - timedelta(minutes=90)),
        ("24h", NOW - timedelta(hours=24)),
        (" 7D ", NOW - timedelta(days=7)),
        ("2w", NOW - timedelta(weeks=2)),
    ],
)
def test_people_can_write_dates_times_and_ages(text, expected):
    assert parse_time(text, NOW) == expected


@given(st.text())
def test_any_input_gives_an_aware_utc_time_or_a_helpful_error(text):
    try:
        moment = parse_time(text, NOW)
    except ValueError as error:
        assert "is not a time" in str(error) or "too far back" in str(error)
    else:
        assert moment.utcoffset() == timedelta(0)


@given(st.integers(min_value=0, max_value=10**7), st.sampled_from(["m", "h", "d", "w"]))
def test_ages_count_back_from_now(amount, unit):
    try:
        moment = parse_time(f"{amount}{unit}", NOW)
    except ValueError as error:
        assert "too far back" in str(error)
    else:
        assert moment <= NOW


def test_a_manual_clock_moves_only_when_told():
    clock = ManualClock(NOW)
    assert clock.now() == NOW
    assert clock.advance(timedelta(minutes=5)) == clock.now() == NOW + timedelta(minutes=5)
    with pytest.raises(ValueError):
        ManualClock(datetime(2026, 1, 1))
