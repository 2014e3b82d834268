"""Priority from triage, reach and age; SLA due times per priority, in business hours when set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialcx.care.inbox import due_at, enqueue, list_items, priority_of
from socialcx.config import InboxConfig, load_settings
from socialcx.errors import ConfigError
from tests.care.inbox.conftest import add_mention

FRESH = timedelta(minutes=5)


@pytest.mark.parametrize(
    ("urgency", "sentiment", "risks", "followers", "age", "expected"),
    [
        ("normal", "neutral", (), 100, FRESH, "normal"),
        ("low", "positive", (), 100, FRESH, "low"),
        (None, None, (), None, FRESH, "normal"),  # untriaged: a person judges it
        ("low", "negative", (), 100, FRESH, "normal"),  # negative raises one level…
        ("high", "negative", (), 100, FRESH, "high"),  # …to high at most
        ("normal", "neutral", (), 10_000, FRESH, "high"),  # a big audience raises one level
        ("high", "negative", (), 250_000, FRESH, "critical"),
        ("normal", "neutral", (), 100, timedelta(hours=30), "low"),  # found a day late
        ("low", "neutral", (), 100, timedelta(hours=30), "low"),
        ("low", "neutral", ("personal_data",), 100, FRESH, "high"),  # a risk is at least high
        ("high", "neutral", ("harassment",), 100, timedelta(days=3), "high"),  # and never lowered for age
        ("critical", "negative", ("safety",), 100, FRESH, "critical"),
    ],
)
def test_priority_comes_from_urgency_sentiment_reach_risks_and_age(urgency, sentiment, risks, followers, age, expected):
    assert priority_of(urgency=urgency, sentiment=sentiment, risks=risks, followers=followers, age=age) == expected


WEDNESDAY_9 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("priority", "due"),
    [("critical", "09:15"), ("high", "10:00"), ("normal", "13:00"), ("low", "2026-11-26 09:00")],
)
def test_default_sla_runs_around_the_clock(priority, due):
    expected = datetime.fromisoformat(due if "-" in due else f"2026-11-25 {due}").replace(tzinfo=UTC)
    assert due_at(WEDNESDAY_9, priority, InboxConfig()) == expected


LONDON_OFFICE = InboxConfig(business_hours="Mon-Fri 09:00-17:00", timezone="Europe/London")


@pytest.mark.parametrize(
    ("start", "priority", "due"),
    [
        # Inside hours: plain addition.
        ("2026-11-25T10:00:00+00:00", "high", "2026-11-25T11:00:00+00:00"),
        # Before opening: the clock starts at 09:00.
        ("2026-11-25T06:30:00+00:00", "critical", "2026-11-25T09:15:00+00:00"),
        # Friday 16:50: ten minutes on Friday, fifty on Monday morning.
        ("2026-11-27T16:50:00+00:00", "high", "2026-11-30T09:50:00+00:00"),
        # Saturday: nothing runs until Monday.
        ("2026-11-28T12:00:00+00:00", "normal", "2026-11-30T13:00:00+00:00"),
        # 24 hours of business time is three working days.
        ("2026-11-25T09:00:00+00:00", "low", "2026-11-27T17:00:00+00:00"),
        # Summer time: London opens at 08:00 UTC.
        ("2026-06-10T07:00:00+00:00", "high", "2026-06-10T09:00:00+00:00"),
    ],
)
def test_sla_time_only_runs_in_business_hours(start, priority, due):
    assert due_at(datetime.fromisoformat(start), priority, LONDON_OFFICE) == datetime.fromisoformat(due)


def test_business_hours_follow_the_team_time_zone():
    new_york = InboxConfig(business_hours="Mon-Fri 09:00-17:00", timezone="America/New_York")
    # 13:00 UTC is 08:00 in New York: the hour starts at 14:00 UTC.
    assert due_at(datetime(2026, 11, 25, 13, 0, tzinfo=UTC), "high", new_york) == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_the_inbox_section_is_read_from_the_config_file(tmp_path):
    path = tmp_path / "socialcx.toml"
    path.write_text('[inbox]\nbusiness_hours = "Mon-Sat 08:00-20:00"\ntimezone = "Europe/Paris"\n[inbox.sla_minutes]\nhigh = 30\n')

    inbox = load_settings(path).inbox

    assert (inbox.sla_minutes.high, inbox.sla_minutes.critical) == (30, 15)
    assert inbox.hours.days == frozenset(range(6)) and inbox.zone.key == "Europe/Paris"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('business_hours = "weekdays"', 'expected days and hours like "Mon-Fri 09:00-17:00"'),
        ('business_hours = "Mon-Fri 17:00-09:00"', "the closing time must be after the opening time"),
        ('timezone = "Mars/Olympus"', "expected an IANA time zone"),
    ],
)
def test_a_wrong_inbox_setting_names_the_file_and_line(tmp_path, line, message):
    path = tmp_path / "socialcx.toml"
    path.write_text(f"# the inbox\n[inbox]\n{line}\n")

    with pytest.raises(ConfigError, match=message) as raised:
        load_settings(path)
    assert f"{path}:3:" in str(raised.value)


def test_items_are_listed_by_priority_then_soonest_due(engine, clock):
    now = clock.now()
    with engine.begin() as db:
        normal_old = add_mention(db, posted=now - timedelta(minutes=30))
        low = add_mention(db, posted=now, urgency="low", intent="praise", sentiment="positive")
        critical = add_mention(db, posted=now, urgency="critical", risks=("safety",), text="the charger caught fire")
        high = add_mention(db, posted=now, urgency="normal", followers=50_000)
        normal_new = add_mention(db, posted=now)
        enqueue(db, normal_old, reason="needs a human", now=now - timedelta(minutes=30))
        for mention_id in (low, critical, high, normal_new):
            enqueue(db, mention_id, reason="needs a human", now=now)

    with engine.begin() as db:
        items = list_items(db)

    assert [(item.mention_id, item.priority) for item in items] == [
        (critical, "critical"), (high, "high"), (normal_old, "normal"), (normal_new, "normal"), (low, "low"),
    ]
    due = {item.mention_id: item.due_at for item in items}
    assert due[critical] == datetime(2026, 11, 25, 9, 15, tzinfo=UTC)
    assert due[high] == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert due[normal_old] == datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
    assert due[low] == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_enqueue_is_idempotent_and_uses_the_configured_sla(engine, clock):
    now = clock.now()
    with engine.begin() as db:
        mention_id = add_mention(db, posted=now)
        enqueue(db, mention_id, reason="abstained", now=now, draft="Hi!", sla=InboxConfig(sla_minutes={"normal": 90}))
        enqueue(db, mention_id, reason="again", now=now + timedelta(hours=1))

    with engine.begin() as db:
        [item] = list_items(db)

    assert (item.reason, item.draft, item.due_at) == ("abstained", "Hi!", datetime(2026, 11, 25, 10, 30, tzinfo=UTC))
