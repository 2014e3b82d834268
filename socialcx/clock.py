"""The one source of "now". Components take a clock instead of calling `datetime.now()`.

The daemon uses `SystemClock`; tests, the demo and backtests use `ManualClock`, so the same
code runs on simulated time without sleeping.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock", "parse_time"]


class Clock(Protocol):
    """Anything that can tell the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to, for tests and simulations.

    >>> clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    >>> clock.advance(timedelta(minutes=5)).isoformat()
    '2026-01-01T00:05:00+00:00'
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now


_RELATIVE = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_time(value: str, now: datetime) -> datetime:
    """A point in time from a person: ISO 8601 (`2026-11-24`, `2026-11-24T09:30`, with or
    without an offset; no offset means UTC) or an age before `now` (`90m`, `24h`, `7d`, `2w`).

    Raises ValueError with a message that says what is accepted.
    """
    if match := _RELATIVE.match(value):
        amount, unit = int(match.group(1)), match.group(2).lower()
        try:
            return now - timedelta(**{_UNITS[unit]: amount})
        except OverflowError:
            raise ValueError(f"{value!r} reaches too far back") from None
    try:
        moment = datetime.fromisoformat(value.strip())
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(
            f"{value!r} is not a time; use a date like 2026-11-24, a time like "
            "2026-11-24T09:30, or an age like 90m, 24h, 7d"
        ) from None


class SimulatedClock:
    """A clock that runs `speed` times faster than the wall clock from `start`: the time of the
    sandbox and the demo, so two days of traffic pass in under an hour at speed 60.

    >>> wall = iter([100.0, 130.0]).__next__
    >>> SimulatedClock(datetime(2026, 1, 1, tzinfo=UTC), speed=60, wall=wall).now().isoformat()
    '2026-01-01T00:30:00+00:00'
    """

    def __init__(
        self, start: datetime, speed: float = 60.0, *, wall: Callable[[], float] = time.monotonic
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs an aware datetime")
        if speed <= 0:
            raise ValueError("SimulatedClock needs a positive speed")
        self.start = start.astimezone(UTC)
        self.speed = speed
        self._wall = wall
        self._origin = wall()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self._wall() - self._origin) * self.speed)


__all__ += ["SimulatedClock"]
