"""The read budget: how many API requests a channel may make, shared by every watch and process.

Paid API tiers (X's above all) sell requests per rate window and per month. The poller asks
`allowance` for a watch's even share, takes it with `reserve` before polling (an atomic
conditional increment in the store, so replicas never overspend together), and gives back
what the poll did not use with `refund`. `status` says what is left and, at the pace of this
month so far, when the month's budget will run out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import ChannelConfig
from socialcx.store import ReadBudgetUsage, dialect_insert

__all__ = ["BudgetStatus", "ReadBudget"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """What is left of a channel's budget now. Limits and counts are None when unlimited."""

    channel: Channel
    window_left: int | None
    window_resets_at: datetime
    month_left: int | None
    month_used: int
    month_resets_at: datetime
    runs_out_at: datetime | None

    @property
    def limited(self) -> bool:
        return self.window_left is not None or self.month_left is not None


class _Conflict(Exception):
    """Another process spent the budget between our read and our write; try again."""


class ReadBudget:
    """One channel's read budget, kept in the store's `read_budget` table."""

    def __init__(self, engine: Engine, channel: Channel, config: ChannelConfig, clock: Clock) -> None:
        self._engine = engine
        self._channel = channel
        self._config = config
        self._clock = clock

    def status(self) -> BudgetStatus:
        now = self._clock.now()
        window_start, window_end = self._window(now)
        month_start, month_end = _month(now)
        with self._engine.connect() as connection:
            window_used = self._used(connection, "window", window_start)
            month_used = self._used(connection, "month", month_start)
        window_limit, month_limit = self._config.requests_per_window, self._config.requests_per_month
        month_left = None if month_limit is None else max(0, month_limit - month_used)
        runs_out_at = None
        elapsed = (now - month_start).total_seconds()
        if month_left is not None and month_used and elapsed > 0:
            runs_out_at = now + timedelta(seconds=month_left * elapsed / month_used)
            runs_out_at = None if runs_out_at >= month_end else runs_out_at
        return BudgetStatus(
            channel=self._channel,
            window_left=None if window_limit is None else max(0, window_limit - window_used),
            window_resets_at=window_end,
            month_left=month_left,
            month_used=month_used,
            month_resets_at=month_end,
            runs_out_at=runs_out_at,
        )

    def allowance(self, watches: int) -> int:
        """Requests one watch's poll may make now: an even share of the window among `watches`,
        and of the month among the polls left in it; never more than `max_requests_per_poll`.

        When the month's even share per poll is below one request, a poll gets one request only
        while spending is not ahead of an even pace through the month.
        """
        state = self.status()
        share = self._config.max_requests_per_poll
        if state.window_left is not None:
            share = min(share, max(state.window_left // watches, min(state.window_left, 1)))
        if state.month_left is not None:
            now = self._clock.now()
            month_start, month_end = _month(now)
            polls_left = max(1.0, (month_end - now).total_seconds() / self._config.poll_interval_seconds)
            monthly = math.floor(state.month_left / (watches * polls_left))
            if monthly == 0 and state.month_left > 0:
                elapsed = (now - month_start) / (month_end - month_start)
                limit = self._config.requests_per_month or 0
                monthly = 1 if state.month_used + 1 <= math.ceil(limit * elapsed) else 0
            share = min(share, monthly)
        return max(0, share)

    def reserve(self, wanted: int) -> int:
        """Take up to `wanted` requests from the budget; return how many were granted (maybe 0)."""
        for _ in range(5):
            state = self.status()
            granted = min([wanted, *(left for left in (state.window_left, state.month_left) if left is not None)])
            if granted <= 0:
                return 0
            try:
                with self._engine.begin() as connection:
                    self._add(connection, granted, check=True)
                return granted
            except _Conflict:
                continue
        return 0

    def refund(self, unused: int) -> None:
        """Give back requests reserved but not made."""
        if unused > 0:
            with self._engine.begin() as connection:
                self._add(connection, -unused, check=False)

    def _add(self, connection: Connection, amount: int, *, check: bool) -> None:
        now = self._clock.now()
        table = ReadBudgetUsage.__table__
        periods = (
            ("window", self._window(now)[0], self._config.requests_per_window),
            ("month", _month(now)[0], self._config.requests_per_month),
        )
        for period, start, limit in periods:
            key = {"channel": self._channel.value, "period": period, "period_start": start}
            connection.execute(
                dialect_insert(connection, table).values(**key, used=0).on_conflict_do_nothing()
            )
            spent = table.c.used + amount
            update = table.update().filter_by(**key).values(used=sa.case((spent < 0, 0), else_=spent))
            if check and limit is not None:
                update = update.where(table.c.used + amount <= limit)
            if connection.execute(update).rowcount != 1:
                raise _Conflict

    def _used(self, connection: Connection, period: str, start: datetime) -> int:
        table = ReadBudgetUsage.__table__
        used = connection.execute(
            sa.select(table.c.used).filter_by(channel=self._channel.value, period=period, period_start=start)
        ).scalar_one_or_none()
        return used or 0

    def _window(self, now: datetime) -> tuple[datetime, datetime]:
        size = timedelta(minutes=self._config.window_minutes)
        start = _EPOCH + ((now - _EPOCH) // size) * size
        return start, start + size


def _month(now: datetime) -> tuple[datetime, datetime]:
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    return start, end
