"""Spikes from ingested mentions: counted as they arrive, judged when a bucket settles, stored as
one alert per incident with its explanation, escalated and resolved in the same thread."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from socialcx import Batch, Channel, ManualClock, ingest
from socialcx.mention import Mention
from socialcx.spikes.counts import SeriesKey, rebuild_counts
from socialcx.spikes.explain import explain
from socialcx.spikes.incidents import evaluate, open_alerts
from socialcx.store import Alert, AlertEvent, SpikeCount
from socialcx.triage import Triage

BUCKET = timedelta(minutes=5)
SETTLE = timedelta(minutes=5)
START = datetime(2026, 11, 9, tzinfo=UTC)  # a Monday


class _Triager:
    """Checkout complaints are negative outage reports for a human; the rest routine order questions."""

    version = "stub@1"

    def triage(self, texts):
        return [
            Triage("outage_report", 0.9, False, "negative", -0.8, "high", "en", (), False)
            if "checkout" in text
            else Triage("order_status", 0.9, False, "neutral", 0.0, "normal", "en", (), True)
            for text in texts
        ]


_ORDINARY = [
    "where is my order",
    "any update on delivery",
    "order still not shipped",
    "tracking says pending",
]


def _chatter(rng: random.Random, start: datetime, end: datetime) -> list[tuple[datetime, str, int]]:
    """Ordinary mentions with a daily rhythm: about 6 a bucket by day, 1 at night."""
    posts, at = [], start
    while at < end:
        rate = 6.0 if 8 <= at.hour < 22 else 1.0
        for _ in range(_poisson(rng, rate)):
            posts.append(
                (
                    at + timedelta(seconds=rng.randrange(300)),
                    rng.choice(_ORDINARY),
                    rng.randrange(10, 500),
                )
            )
        at += BUCKET
    return posts


def _surge(
    rng: random.Random, start: datetime, minutes: int, count: int
) -> list[tuple[datetime, str, int]]:
    texts = [
        "checkout is broken again",
        "cannot pay, checkout error",
        "checkout down for anyone else?",
    ]
    return [
        (
            start + timedelta(seconds=rng.randrange(minutes * 60)),
            rng.choice(texts),
            rng.randrange(10, 100_000),
        )
        for _ in range(count)
    ]


def _poisson(rng: random.Random, rate: float) -> int:
    count, total = 0, rng.expovariate(1.0)
    while total < rate:
        count, total = count + 1, total + rng.expovariate(1.0)
    return count


_serial = iter(range(10**9))


def _store(engine, posts, clock) -> None:
    items = [
        Mention(
            external_id=str(next(_serial)),
            text=text,
            created_at=at.isoformat(),
            author_handle=f"user{n}",
            author_followers=followers,
            url=f"https://x.com/i/{n}",
        )
        for n, (at, text, followers) in enumerate(sorted(posts))
    ]
    for chunk in range(0, len(items), 2_000):
        ingest(
            engine,
            Batch(Channel.X, "acme", items[chunk : chunk + 2_000]),
            clock=clock,
            triage=_Triager(),
        )


def _evaluate(engine, clock):
    return evaluate(engine, clock=clock, bucket=BUCKET, settle=SETTLE)


def _events(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(AlertEvent.kind, AlertEvent.slice).order_by(AlertEvent.id)
        ).all()
    return [tuple(row) for row in rows]


@pytest.fixture
def history(engine):
    """Eight quiet days of mentions, judged: the detector knows what normal is."""
    rng = random.Random(7)
    clock = ManualClock(START + timedelta(days=8, hours=12))
    _store(engine, _chatter(rng, START, clock.now()), clock)
    assert _evaluate(engine, clock) == []
    return engine, clock, rng


def test_a_surge_raises_one_alert_explained_and_joined_by_its_slices(history):
    engine, clock, rng = history
    surge_start = clock.now()
    _store(
        engine,
        _surge(rng, surge_start, 15, 150)
        + _chatter(rng, surge_start, surge_start + timedelta(minutes=15)),
        clock,
    )
    clock.advance(timedelta(minutes=20))

    changed = _evaluate(engine, clock)

    [alert] = open_alerts(engine)
    assert [incident.id for incident in changed] == [alert.id]
    assert surge_start <= alert.opened_at <= surge_start + 2 * BUCKET  # within two buckets
    assert alert.status == "open" and not alert.cold_start and alert.observed > 3 * alert.expected
    explanation = alert.explanation
    assert explanation["topic"] == '"checkout"'
    assert explanation["terms"][0]["term"] == "checkout"
    assert explanation["intents"]["outage_report"] > explanation["intents"].get("order_status", 0)
    assert explanation["sentiments"]["negative"] > 0 and explanation["channels"] == {
        "x": explanation["mentions"]
    }
    followers = [sample["author_followers"] for sample in explanation["samples"]]
    assert len(followers) == 5 and followers == sorted(followers, reverse=True)
    kinds = _events(engine)
    assert kinds[0][0] == "raised" and {kind for kind, _ in kinds[1:]} <= {"joined"}
    assert {slice_ for _, slice_ in kinds} >= {"intent:outage_report", "negative"}


def test_the_explanations_are_read_before_the_first_write_and_are_what_explain_says(history):
    """SQLite has one writer: building explanations (thousands of mentions read) must not hold the
    write lock, so no mention is read after judging's first write; and the stored explanation is
    exactly `explain` of the alert's window."""
    engine, clock, rng = history
    _store(engine, _surge(rng, clock.now(), 15, 150), clock)
    clock.advance(timedelta(minutes=20))
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_: statements.append(statement))

    _evaluate(engine, clock)

    first_write = next(n for n, sql in enumerate(statements) if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")))
    assert not [sql for sql in statements[first_write:] if re.search(r"\bFROM mention\b", sql)]
    [alert] = open_alerts(engine)
    start, end = (datetime.fromisoformat(moment) for moment in alert.explanation["window"])
    with engine.connect() as connection:
        assert alert.explanation == explain(connection, SeriesKey(alert.watch, alert.channel, alert.slice), start, end)


def test_judging_again_changes_nothing(history):
    engine, clock, rng = history
    _store(engine, _surge(rng, clock.now(), 15, 150), clock)
    clock.advance(timedelta(minutes=20))
    _evaluate(engine, clock)
    before = _events(engine)

    assert _evaluate(engine, clock) == []
    assert _events(engine) == before


def test_a_growing_surge_escalates_then_the_incident_resolves_in_the_same_thread(history):
    engine, clock, rng = history
    start = clock.now()
    _store(engine, _surge(rng, start, 10, 60), clock)
    clock.advance(timedelta(minutes=15))
    _evaluate(engine, clock)
    _store(engine, _surge(rng, clock.now() - timedelta(minutes=5), 15, 600), clock)
    clock.advance(timedelta(minutes=20))
    _evaluate(engine, clock)
    [alert] = open_alerts(engine)
    assert alert.status == "escalated" and alert.peak > 2 * alert.observed

    quiet_from = clock.now() - timedelta(minutes=5)
    _store(engine, _chatter(rng, quiet_from, quiet_from + timedelta(hours=3)), clock)
    clock.advance(timedelta(hours=3))
    _evaluate(engine, clock)

    assert open_alerts(engine) == []
    with engine.connect() as connection:
        stored = connection.execute(sa.select(Alert.__table__)).mappings().one()
    assert stored["status"] == "resolved" and stored["resolved_at"] > stored["opened_at"]
    kinds = [kind for kind, _ in _events(engine)]
    assert kinds[0] == "raised" and "escalated" in kinds and kinds[-1] == "resolved"
    assert kinds.count("resolved") == 1


def test_ordinary_days_raise_nothing(history):
    engine, clock, rng = history
    _store(engine, _chatter(rng, clock.now(), clock.now() + timedelta(days=1)), clock)
    clock.advance(timedelta(days=1))

    assert _evaluate(engine, clock) == []
    assert open_alerts(engine) == []


def test_history_before_the_live_window_teaches_but_raises_nothing(engine):
    """A surge last week, judged for the first time today (counting just switched on), is not news."""
    rng = random.Random(3)
    clock = ManualClock(START + timedelta(days=8))
    _store(
        engine,
        _chatter(rng, START, clock.now())
        + _surge(rng, START + timedelta(days=7, hours=12), 15, 300),
        clock,
    )

    assert _evaluate(engine, clock) == []


def test_counts_are_kept_at_ingest_and_rebuilt_the_same(engine, clock):
    rng = random.Random(1)
    posts = _chatter(rng, clock.now() - timedelta(hours=2), clock.now()) + _surge(
        rng, clock.now() - timedelta(hours=1), 10, 20
    )
    _store(engine, posts, clock)
    with engine.connect() as connection:
        kept = sorted(tuple(row) for row in connection.execute(sa.select(SpikeCount.__table__)))

    counted = rebuild_counts(engine, BUCKET)

    with engine.connect() as connection:
        rebuilt = sorted(tuple(row) for row in connection.execute(sa.select(SpikeCount.__table__)))
    assert counted == len(posts) and rebuilt == kept
    totals = {(channel, slice_): 0 for _, channel, slice_, _, _ in kept}
    for _, channel, slice_, _, count in kept:
        totals[channel, slice_] += count
    assert totals["all", "all"] == totals["x", "all"] == len(posts)
    assert totals["x", "intent:outage_report"] == totals["x", "negative"] == 20
