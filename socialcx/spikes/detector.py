"""The spike detector: is this bucket's count surprising for this hour of this weekday?

One `SpikeDetector` follows one count series, a bucket at a time, with O(1) work per bucket and
a state of a few hundred numbers (`to_state`), never the history. The baseline for a bucket is

    expected = level x hour_of_day[h] x hour_of_week[w]

where `level` is the recent rate of mentions, `hour_of_day` the daily rhythm and `hour_of_week`
what is special about this hour on this weekday. Each is a ratio of exponentially decayed sums
(mentions seen / mentions the rest of the model expected), starting from a prior of "nothing
special", so a quiet series learns slowly and a busy one quickly, as a Gamma-Poisson model would.
Learning is robust, so a spike does not teach the baseline that spikes are normal: counts enter
the sums clipped to the top of the normal band, and once the baseline is trusted (after cold
start) only ordinary buckets move the seasonal profile, and nothing inside an open alert moves
the overdispersion. A surge that has not raised an alert yet, but whose long sums are half way
to the threshold, is suspected: what it would teach the overdispersions and the threshold is held
back until it subsides (two hours at most), then learned as usual.

A count is judged with a negative-binomial tail: Poisson noise plus a learned overdispersion, so
that 3 -> 9 at night and 300 -> 900 at noon are weighed by how often such jumps really happen.
The score is -log10 of the smallest tail probability of several tests: this bucket alone, the
sum of the last two buckets, and the sums of the last 30 minutes and 2 hours, each judged with an
overdispersion learned for its span (a sustained surge adds up before any single bucket is
extreme, and noise that lasts is learned as such). Volume and ratio gates read the same test.

The threshold calibrates itself to the series. Real series are burstier than any count model
says, and some far more than others, so besides the fixed tail (1e-12) a bucket also passes when
its score is one the series' own ordinary buckets reach only `tail_passes_per_week` times a week:
a peaks-over-threshold model of the recent scores (how often they pass 3, by how much), starting
from the prior of a well-calibrated model. A quiet, well-modelled series is then judged at about
1e-4 rather than 1e-12; a series whose ordinary scores often run high is judged by the fixed tail,
raised a share (`tail_rise`) of the way towards its own bar.

Alerts have a lifecycle: `raised` when the score passes the threshold with enough volume,
`escalated` each time the count doubles again (by default), `resolved` after half an hour of
ordinary buckets. A new alert must then beat twice the last alert's peak (four times within
`repeat_hold`), a bar that halves every `cooldown`, so the same surge repeating does not wake
anyone twice. During cold start the
threshold is stricter, and within the first day nothing is raised at all.

>>> from datetime import datetime, timedelta, UTC
>>> detector = SpikeDetector()
>>> start = datetime(2026, 1, 5, tzinfo=UTC)
>>> steps = [detector.update(start + i * detector.params.bucket, 20) for i in range(4000)]
>>> detector.update(start + 4000 * detector.params.bucket, 80).event
'raised'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from scipy.special import betainc, gammainc

__all__ = ["DetectorParams", "SpikeDetector", "Step"]

Event = Literal["raised", "escalated", "resolved"]

_STATE_VERSION = 4

_HOURS_PER_WEEK = 7 * 24
_HOUR = timedelta(hours=1)
_WARM_UP = timedelta(days=1)
_FLOOR = 1e-3  # the smallest expected count, in mentions per bucket
_ORDINARY = 3.0  # a bucket with a tail probability above 1e-3 looks normal
# The tail starts from the prior of a model that is right: -log10 of a true tail probability
# passes x with probability 10^-x, so excesses over `_ORDINARY` are exponential with mean 1/ln 10.
_PRIOR_BUCKETS = 2000.0
_MAX_SCORE = 300.0  # -log10 of the smallest tail probability a float tells apart from 0


@dataclass(frozen=True)
class DetectorParams:
    """The product's detector settings, the same for every series (no per-series tuning).

    Times are durations, so the same settings serve 1-minute and 1-hour buckets.
    """

    bucket: timedelta = timedelta(minutes=5)
    #: how fast the overall level follows the series (a slow doubling over a week is followed)
    level_half_life: timedelta = timedelta(days=1)
    #: memory of the daily rhythm, learned from every day
    daily_half_life: timedelta = timedelta(days=3)
    #: memory of what is special about each hour of each weekday
    weekly_half_life: timedelta = timedelta(weeks=3)
    #: memory of the overdispersion (how bursty the series is beyond Poisson noise)
    dispersion_half_life: timedelta = timedelta(days=3)
    #: memory of how often and how far the series' ordinary scores reach into the tail
    tail_half_life: timedelta = timedelta(weeks=2)
    #: prior weight of "nothing special about this hour", in expected mentions
    prior_mentions: float = 10.0
    #: the top of the normal band, in standard deviations; counts above it are clipped when learning
    band_sigmas: float = 3.0
    #: a bucket is a spike when its (or the recent window's) tail probability is below this ...
    tail_probability: float = 1e-12
    #: ... or when its score is one the series' own ordinary buckets pass this often a week
    #: (chosen by leave-one-series-out in bench/spikes.py; the gates below make alerts rarer)
    tail_passes_per_week: float = 0.125
    #: where the series' own threshold is above the fixed tail, the fixed tail moves this share of
    #: the way towards it (in decades), so a series whose ordinary buckets often score high is held
    #: to a higher bar than a well-modelled one (0.1: the largest share that keeps the synthetic
    #: recall; leave-one-out chose 0.05 to 0.15)
    tail_rise: float = 0.1
    #: buckets summed for the sustained-surge test
    surge_buckets: int = 2
    #: longer sums, each judged with an overdispersion learned for that span (noise that lasts
    #: adds up, independent noise averages out), so a long modest surge is seen at any volume
    #: (30 minutes and 2 hours chosen on the synthetic incidents; leave-one-out is the same with
    #: 1 hour, 30 minutes and 1 hour, or 30 minutes, 2 and 4 hours)
    surge_windows: tuple[timedelta, ...] = (timedelta(minutes=30), timedelta(hours=2))
    #: fewest mentions in a bucket that can raise an alert (0 -> 2 is not a spike)
    min_volume: float = 10.0
    #: a spike is at least this many times the expected count
    min_ratio: float = 2.0
    #: an open alert escalates each time the count reaches this factor over its last level
    escalation: float = 2.0
    #: the recent window must look normal this long before an alert resolves
    resolve_after: timedelta = timedelta(minutes=30)
    #: a new alert must reach `escalation` x the last alert's peak, a bar that halves this often
    cooldown: timedelta = timedelta(hours=48)
    #: for this long after an alert resolves the bar starts at `escalation` squared: a story that
    #: flares up again the same day is one event, raised again only if it doubles twice
    #: (chosen by leave-one-series-out in bench/spikes.py, with `tail_rise`)
    repeat_hold: timedelta = timedelta(hours=24)
    #: with less history than this the baseline is the conservative fallback
    cold_start: timedelta = timedelta(days=7)
    #: the stricter tail probability used during cold start
    cold_start_tail_probability: float = 1e-15
    #: a long sum scoring above this share of the threshold is a suspected surge: what it would
    #: teach the overdispersions and the tail is held back until it subsides, so a surge that has
    #: not yet raised an alert does not make itself look ordinary (leave-one-out is the same from
    #: 0.5 to 0.75 and lower at 0.3; the synthetic recall is lower at 0.4)
    suspicion: float = 0.5
    #: ... for at most this long, so that a lasting change of the noise is learned
    suspicion_limit: timedelta = timedelta(hours=2)

    def __post_init__(self) -> None:
        if self.bucket <= timedelta(0):
            raise ValueError("bucket must be a positive duration")
        if not 0 < self.tail_probability < 1 or not 0 < self.cold_start_tail_probability < 1:
            raise ValueError("tail probabilities must be between 0 and 1")
        if self.surge_buckets < 1 or self.escalation <= 1:
            raise ValueError("surge_buckets must be >= 1 and escalation > 1")
        if any(span <= timedelta(0) for span in self.surge_windows):
            raise ValueError("surge_windows must be positive durations")
        if not 0 <= self.tail_rise <= 1 or self.repeat_hold < timedelta(0):
            raise ValueError("tail_rise must be between 0 and 1 and repeat_hold not negative")
        if self.suspicion <= 0 or self.suspicion_limit < timedelta(0):
            raise ValueError("suspicion must be positive and suspicion_limit not negative")


@dataclass(frozen=True)
class Step:
    """What one bucket did: its count, the baseline, how surprising it was, and any alert event."""

    at: datetime
    observed: float
    expected: float
    upper: float
    score: float
    event: Event | None
    cold_start: bool
    threshold: float  # the score this bucket needed to raise an alert


@dataclass
class _Rate:
    """A ratio of exponentially decayed sums: mentions seen over mentions expected."""

    seen: float = 0.0
    expected: float = 0.0

    def add(self, seen: float, expected: float, decay: float) -> None:
        self.seen = self.seen * decay + seen
        self.expected = self.expected * decay + expected

    def factor(self, prior: float) -> float:
        return (self.seen + prior) / (self.expected + prior)

    def fade(self, decay: float) -> None:
        self.seen, self.expected = self.seen * decay, self.expected * decay

    def merge(self, other: _Rate) -> None:
        """Add what `other` learned over the same span with the same decay."""
        self.seen, self.expected = self.seen + other.seen, self.expected + other.expected


@dataclass
class _Tail:
    """The upper tail of the series' own scores in ordinary buckets, as peaks over a threshold:
    how often a score passes `_ORDINARY` and by how much on average. The excesses are modelled as
    exponential (SPOT, Siffer et al. 2017, with the shape fixed at 0), so a rare score can be told
    from the series' usual bursts with a few weeks of history and three numbers."""

    buckets: float = _PRIOR_BUCKETS
    passed: float = _PRIOR_BUCKETS * 10**-_ORDINARY
    excess: float = _PRIOR_BUCKETS * 10**-_ORDINARY / math.log(10)

    def add(self, score: float, decay: float) -> None:
        over = score > _ORDINARY
        self.buckets = self.buckets * decay + 1
        self.passed = self.passed * decay + over
        self.excess = self.excess * decay + (score - _ORDINARY if over else 0.0)

    def fade(self, decay: float) -> None:
        self.buckets, self.passed, self.excess = (
            self.buckets * decay, self.passed * decay, self.excess * decay
        )

    def merge(self, other: _Tail) -> None:
        """Add what `other` learned over the same span with the same decay."""
        self.buckets += other.buckets
        self.passed += other.passed
        self.excess += other.excess

    def score_passed(self, share: float) -> float:
        """The score this share of ordinary buckets passes."""
        scale, passing = self.excess / self.passed, self.passed / self.buckets
        return _ORDINARY + scale * math.log(max(1.0, passing / share))


@dataclass
class _Alert:
    """The lifecycle of the current (or last) alert."""

    open: bool = False
    level: float = 0.0  # the count at which it was raised or last escalated
    peak: float = 0.0  # the highest count while open
    calm: int = 0  # consecutive ordinary buckets while open
    resolved_at: datetime | None = None


@dataclass
class _Model:
    """Everything the detector learned; its JSON form is the detector's state."""

    first: datetime | None = None
    last: datetime | None = None
    level: _Rate = field(default_factory=_Rate)
    daily: list[_Rate] = field(default_factory=lambda: [_Rate() for _ in range(24)])
    weekly: list[_Rate] = field(default_factory=lambda: [_Rate() for _ in range(_HOURS_PER_WEEK)])
    spread: _Rate = field(default_factory=_Rate)  # excess variance over sum of expected^2
    tail: _Tail = field(default_factory=_Tail)
    windows: list[_Rate] = field(default_factory=list)  # the spread of each long window's sum
    recent: list[tuple[float, float]] = field(default_factory=list)  # (observed, expected)
    alert: _Alert = field(default_factory=_Alert)
    suspect: int = 0  # consecutive buckets of a suspected surge
    # What a suspected surge would have taught the spreads (bucket, then each long window) and the
    # tail, decayed like them, learned once it subsides.
    held: list[_Rate] = field(default_factory=list)
    held_tail: _Tail = field(default_factory=lambda: _Tail(0.0, 0.0, 0.0))


class SpikeDetector:
    """Follows one count series bucket by bucket and says when a spike starts, grows and ends.

    Feed buckets in time order with `update`; a missing bucket counts as zero mentions. The
    state survives restarts through `to_state` / `from_state`.
    """

    def __init__(self, params: DetectorParams = DetectorParams()) -> None:
        self.params = params
        self._model = _Model()
        per_hour = max(1.0, _HOUR / params.bucket)
        self._level_decay = _decay(params.bucket / params.level_half_life)
        self._daily_decay = _decay(1 / (per_hour * (params.daily_half_life / timedelta(days=1))))
        self._weekly_decay = _decay(1 / (per_hour * (params.weekly_half_life / timedelta(weeks=1))))
        self._spread_decay = _decay(params.bucket / params.dispersion_half_life)
        self._tail_decay = _decay(params.bucket / params.tail_half_life)
        self._tail_share = params.tail_passes_per_week * (params.bucket / timedelta(weeks=1))
        self._resolve_buckets = max(1, math.ceil(params.resolve_after / params.bucket))
        self._windows = sorted(
            {n for n in (round(span / params.bucket) for span in params.surge_windows) if n > 1}
        )
        self._model.windows = [_Rate() for _ in self._windows]
        self._model.held = [_Rate() for _ in range(1 + len(self._windows))]
        self._suspicion_buckets = round(params.suspicion_limit / params.bucket)
        self._memory = max([params.surge_buckets, *self._windows])

    @property
    def is_open(self) -> bool:
        """Whether an alert is currently open."""
        return self._model.alert.open

    def update(self, at: datetime, count: float) -> Step:
        """Take the count of the bucket starting at `at` and say what it means."""
        if not math.isfinite(count) or count < 0:
            raise ValueError(f"count must be a finite non-negative number, not {count!r}")
        model = self._model
        if model.last is not None:
            gap = (at - model.last) / self.params.bucket
            if gap < 0.5:
                raise ValueError(f"bucket {at.isoformat()} is not after {model.last.isoformat()}")
            for _ in range(1, round(gap)):
                self._step(model.last + self.params.bucket, 0.0, quiet=True)
        return self._step(at, float(count), quiet=False)

    def to_state(self) -> dict[str, Any]:
        """A small JSON-serialisable snapshot of everything learned, to resume after a restart."""
        model = self._model
        alert = model.alert
        return {
            "version": _STATE_VERSION,
            "first": _iso(model.first),
            "last": _iso(model.last),
            "level": [model.level.seen, model.level.expected],
            "daily": [[rate.seen, rate.expected] for rate in model.daily],
            "weekly": [[rate.seen, rate.expected] for rate in model.weekly],
            "spread": [model.spread.seen, model.spread.expected],
            "tail": [model.tail.buckets, model.tail.passed, model.tail.excess],
            "windows": [[rate.seen, rate.expected] for rate in model.windows],
            "recent": [list(pair) for pair in model.recent],
            "suspect": model.suspect,
            "held": [[rate.seen, rate.expected] for rate in model.held],
            "held_tail": [model.held_tail.buckets, model.held_tail.passed, model.held_tail.excess],
            "alert": {
                "open": alert.open,
                "level": alert.level,
                "peak": alert.peak,
                "calm": alert.calm,
                "resolved_at": _iso(alert.resolved_at),
            },
        }

    @classmethod
    def from_state(
        cls, state: dict[str, Any], params: DetectorParams = DetectorParams()
    ) -> SpikeDetector:
        """A detector that carries on exactly where the one that wrote `state` stopped.

        A version 1 state (before the tail model) carries on with the tail's prior; a state
        without the long windows' spreads (version 2, or other `surge_windows`) learns them anew;
        a state without a held-back surge (version 3) carries on with none.
        """
        if state.get("version") not in (1, 2, 3, _STATE_VERSION):
            raise ValueError(f"detector state version {state.get('version')!r} is not supported")
        detector = cls(params)
        alert = state["alert"]
        detector._model = _Model(
            first=_parse_iso(state["first"]),
            last=_parse_iso(state["last"]),
            level=_Rate(*state["level"]),
            daily=[_Rate(*pair) for pair in state["daily"]],
            weekly=[_Rate(*pair) for pair in state["weekly"]],
            spread=_Rate(*state["spread"]),
            tail=_Tail(*state["tail"]) if "tail" in state else _Tail(),
            windows=[_Rate(*pair) for pair in state.get("windows", [])],
            recent=[(observed, expected) for observed, expected in state["recent"]],
            alert=_Alert(
                open=alert["open"],
                level=alert["level"],
                peak=alert["peak"],
                calm=alert["calm"],
                resolved_at=_parse_iso(alert["resolved_at"]),
            ),
            suspect=state.get("suspect", 0),
            held=[_Rate(*pair) for pair in state.get("held", [])],
            held_tail=_Tail(*state.get("held_tail", (0.0, 0.0, 0.0))),
        )
        if len(detector._model.windows) != len(detector._windows):
            detector._model.windows = [_Rate() for _ in detector._windows]
        if len(detector._model.held) != 1 + len(detector._windows):
            detector._model.held = [_Rate() for _ in range(1 + len(detector._windows))]
        return detector

    # -- one bucket ---------------------------------------------------------------------------

    def _step(self, at: datetime, observed: float, *, quiet: bool) -> Step:
        """Judge one bucket against the baseline, move the alert lifecycle, then learn from it.

        `quiet` buckets (the zeros of a gap) raise nothing; they count towards a resolution,
        which is reported at the next real bucket.
        """
        params, model = self.params, self._model
        if model.first is None:
            model.first = at
        cold = at - model.first < params.cold_start
        hour, slot = at.hour, at.weekday() * 24 + at.hour
        prior = params.prior_mentions
        season = model.daily[hour].factor(prior) * model.weekly[slot].factor(prior)
        known = model.level.expected > 0
        # The floor keeps a series that went silent able to judge its next mention.
        expected = (
            max(_FLOOR, model.level.seen / model.level.expected * season) if known else observed
        )
        dispersion = _dispersion(model.spread, 0.0)
        upper = expected + params.band_sigmas * _deviation(expected, dispersion)
        history = [*model.recent, (observed, expected)][-self._memory :]
        spreads = [_dispersion(rate, dispersion) for rate in model.windows]
        tests = [(history[-params.surge_buckets :], None)] + [
            (history[-n:], spread) for n, spread in zip(self._windows, spreads) if len(history) >= n
        ]
        scores = [_score(window, dispersion, spread) for window, spread in tests] if known else []
        score, seen, due = max(scores, default=(0.0, observed, expected))
        # An alert resolves on the short test: the long sums still hold a surge that is over.
        calm = scores[0][0] if scores else 0.0
        tail = params.cold_start_tail_probability if cold else params.tail_probability
        # The lower of two bars: a score this series' own ordinary buckets rarely reach, or the
        # fixed tail (which raises a surge on a series whose ordinary scores often run high),
        # moved a share of the way up towards the first where that is higher.
        learned, fixed = model.tail.score_passed(self._tail_share), -math.log10(tail)
        threshold = min(learned, fixed + params.tail_rise * max(0.0, learned - fixed))

        was_open = model.alert.open
        # A long sum well on its way to the threshold is a suspected surge: what it would teach the
        # noise and the tail waits until it subsides (for at most `suspicion_limit`).
        longest = max((test[0] for test in scores[1:]), default=0.0)
        suspected = not was_open and longest >= params.suspicion * threshold
        model.suspect = model.suspect + 1 if suspected else 0
        held = 0 < model.suspect <= self._suspicion_buckets
        if not held:
            self._release()
        if quiet:
            self._count_calm(calm)
            event = None
        else:
            event = self._judge(at, observed, (seen, due), (score, calm), threshold)
        if known and not was_open and event is None:
            if held:
                model.tail.fade(self._tail_decay)
            (model.held_tail if held else model.tail).add(score, self._tail_decay)

        if known:
            # Counts are clipped to the band before they are learned; once the baseline is
            # trusted, surprising buckets and open alerts leave the seasonal profile alone. During
            # cold start anything short of a spike is learned, so the weekly rhythm is learned fast.
            clipped = min(observed, upper if not cold else max(upper, params.min_ratio * expected))
            ordinary = cold or (score < _ORDINARY and not model.alert.open)
            self._learn(observed, expected, season, clipped, ordinary, dispersion, hour, slot)
            if not model.alert.open:
                self._learn_spreads(history, [dispersion, *spreads], held=held)
        else:
            model.level.add(observed, season, self._level_decay)
        model.recent = history[1:] if len(history) == self._memory else history
        model.last = at
        return Step(at, observed, expected, upper, score, event, cold, threshold)

    def _judge(
        self,
        at: datetime,
        observed: float,
        tested: tuple[float, float],
        scores: tuple[float, float],
        threshold: float,
    ) -> Event | None:
        """Move the alert lifecycle: raise, escalate or resolve. `tested` is the mentions seen and
        expected by the most surprising test, `scores` its score and the short test's."""
        params, alert = self.params, self._model.alert
        (seen, due), (score, calm) = tested, scores
        if alert.open:
            alert.peak = max(alert.peak, observed)
            if observed >= alert.level * params.escalation:
                alert.level, alert.calm = observed, 0
                return "escalated"
            if self._count_calm(calm):
                alert.open, alert.resolved_at = False, at
                return "resolved"
            return None
        if (
            score >= threshold
            and seen >= params.min_volume
            and seen >= params.min_ratio * due
            and observed >= self._bar(at)
            # Within the first day nothing tells the daily rhythm from a surge.
            and at - self._model.first >= _WARM_UP
        ):
            alert.open, alert.level, alert.peak, alert.calm = True, observed, observed, 0
            return "raised"
        return None

    def _bar(self, at: datetime) -> float:
        """The count a new alert must reach: `escalation` x the last alert's peak when it
        resolved (squared within `repeat_hold`), halving every `cooldown`, so a repeat of the
        same surge stays quiet."""
        alert, params = self._model.alert, self.params
        if alert.resolved_at is None:
            return 0.0
        since = at - alert.resolved_at
        factor = params.escalation ** (2 if since < params.repeat_hold else 1)
        return alert.peak * factor * 0.5 ** (since / params.cooldown)

    def _learn_spreads(
        self, history: list[tuple[float, float]], spreads: list[float], *, held: bool
    ) -> None:
        """Move the overdispersion of a bucket and of each long window's sum with their residuals,
        capped far out both ways so one burst or outage cannot blow them up. Not called while an
        alert is open, so a surge does not make the next one look ordinary; while a surge is
        suspected (`held`) the residuals go to the held-back sums instead."""
        model = self._model
        learned = [model.spread, *model.windows]
        for n, spread, rate, pending in zip([1, *self._windows], spreads, learned, model.held):
            if len(history) >= n:
                window = history[-n:]
                if held:
                    rate.fade(self._spread_decay)
                self._learn_spread(
                    pending if held else rate,
                    sum(o for o, _ in window),
                    sum(e for _, e in window),
                    spread,
                )

    def _release(self) -> None:
        """Learn what a suspected surge held back, now that it is over (or has lasted too long)."""
        model = self._model
        if not model.held_tail.buckets and not any(rate.expected for rate in model.held):
            return
        for rate, pending in zip([model.spread, *model.windows], model.held):
            rate.merge(pending)
        model.tail.merge(model.held_tail)
        model.held = [_Rate() for _ in model.held]
        model.held_tail = _Tail(0.0, 0.0, 0.0)

    def _learn_spread(self, rate: _Rate, observed: float, expected: float, spread: float) -> None:
        reach = 2 * self.params.band_sigmas * _deviation(expected, spread)
        residual = max(-reach, min(observed - expected, reach))
        rate.add(residual**2 - expected, expected**2, self._spread_decay)

    def _count_calm(self, score: float) -> bool:
        """Count an ordinary bucket towards resolving the open alert; True once it has lasted."""
        alert = self._model.alert
        if not alert.open:
            return False
        alert.calm = alert.calm + 1 if score < _ORDINARY else 0
        return alert.calm >= self._resolve_buckets

    def _learn(
        self,
        observed: float,
        expected: float,
        season: float,
        clipped: float,
        ordinary: bool,
        dispersion: float,
        hour: int,
        slot: int,
    ) -> None:
        """Move the level with the clipped count, the seasonal profile only with ordinary ones, and
        the overdispersion with the residual: capped far out both ways, so one burst or outage
        cannot blow it up, and not at all while an alert is open, so a surge does not make the next one look ordinary."""
        model, prior = self._model, self.params.prior_mentions
        daily, weekly = model.daily[hour], model.weekly[slot]
        model.level.add(clipped, season, self._level_decay)
        if ordinary:
            # One after the other, so the weekly factor only learns what the daily one has not
            # (updated together, both would take up the same surprise on a slot's first visit).
            level = expected / season
            daily.add(clipped, level * weekly.factor(prior), self._daily_decay)
            weekly.add(clipped, level * daily.factor(prior), self._weekly_decay)


def _deviation(expected: float, dispersion: float) -> float:
    """The standard deviation of a negative-binomial count with this mean and dispersion."""
    return math.sqrt(expected + dispersion * expected**2)


def _score(
    window: list[tuple[float, float]], dispersion: float, spread: float | None
) -> tuple[float, float, float]:
    """How surprising the last bucket is, alone or summed with the buckets before it, with the
    mentions seen and expected in whichever of the two is more surprising.

    The sum's overdispersion is `spread` when it was learned for this span, else that of
    independent negative binomials with a shared dispersion, matched on mean and variance."""
    observed, expected = window[-1]
    seen, total = sum(o for o, _ in window), sum(e for _, e in window)
    summed = dispersion * sum(e * e for _, e in window) / total**2 if spread is None else spread
    return max(
        (_surprise(observed, expected, dispersion), observed, expected),
        (_surprise(seen, total, summed), seen, total),
    )


def _dispersion(rate: _Rate, fallback: float) -> float:
    """A learned overdispersion, or `fallback` until something was learned."""
    return max(0.0, rate.seen / rate.expected) if rate.expected else fallback


def _surprise(observed: float, expected: float, dispersion: float) -> float:
    """-log10 P(X >= observed), X negative-binomial with this (positive) mean and dispersion.

    Both incomplete functions take real counts, so fractional values (averages, weights) work.
    """
    if observed <= expected:
        return 0.0
    if dispersion < 1e-9:
        tail = gammainc(observed, expected)
    else:
        size = 1 / dispersion
        tail = betainc(observed, size, expected / (expected + size))
    return min(_MAX_SCORE, -math.log10(tail)) if tail > 0 else _MAX_SCORE


def _decay(half_lives_per_update: float) -> float:
    """The factor each update multiplies a memory by, for a memory with this half-life."""
    return 0.5**half_lives_per_update


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
