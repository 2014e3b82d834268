"""Rate-limit windows, as the platforms keep them: so many requests per bucket per window.

Windows run on the wall clock, not the simulated one: clients sleep in wall time until the reset
the headers announce, so that is the time the headers must speak.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Budget", "RateLimits", "RateState"]


@dataclass(frozen=True, slots=True)
class Budget:
    """`limit` requests per `seconds`-long window."""

    limit: int
    seconds: float


@dataclass(frozen=True, slots=True)
class RateState:
    """A bucket's window after one request: what the rate-limit headers report."""

    limit: int
    used: int
    reset_at: float  # epoch seconds
    now: float

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit

    @property
    def reset_in(self) -> int:
        """Whole seconds until the window resets, rounded up."""
        return max(0, int(-(-(self.reset_at - self.now) // 1)))


class RateLimits:
    """Fixed windows per bucket, opened by the first request after the previous one closed."""

    def __init__(
        self, budgets: Mapping[str, Budget], *, wall: Callable[[], float] = time.time
    ) -> None:
        self._budgets = dict(budgets)
        self._windows: dict[str, tuple[float, int]] = {}  # bucket -> (opened at, requests so far)
        self._wall = wall
        self._lock = threading.Lock()

    def budgets(self) -> dict[str, Budget]:
        with self._lock:
            return dict(self._budgets)

    def set(self, bucket: str, budget: Budget) -> None:
        """Give a bucket a new budget, starting a fresh window."""
        if bucket not in self._budgets:
            raise ValueError(
                f"no rate-limit bucket {bucket!r}; buckets are {', '.join(sorted(self._budgets))}"
            )
        if budget.limit < 1 or budget.seconds <= 0:
            raise ValueError("a budget needs a limit of at least 1 and a window of some seconds")
        with self._lock:
            self._budgets[bucket] = budget
            self._windows.pop(bucket, None)

    def consume(self, bucket: str) -> RateState:
        """Count one request against `bucket` and report the window."""
        with self._lock:
            budget, now = self._budgets[bucket], self._wall()
            opened, used = self._windows.get(bucket, (now, 0))
            if now >= opened + budget.seconds:
                opened, used = now, 0
            self._windows[bucket] = (opened, used + 1)
            return RateState(budget.limit, used + 1, opened + budget.seconds, now)
