"""The analysts' DataFrames: typed columns in UTC, and KPIs that agree with the CLI's, number
for number, on the known data set of the KPI tests."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from socialcx.care.feedback import relabel
from socialcx.care.kpis import kpis as cli_kpis
from socialcx.ops import analytics
from tests.care.inbox.conftest import add_mention
from tests.care.inbox.test_kpis import NOW, T0, _known_data_set, minutes


def test_mentions_come_typed_with_triage_and_corrections(engine):
    with engine.begin() as db:
        _known_data_set(db)

    frame = analytics.mentions(engine)

    assert len(frame) == 11
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert {"channel", "intent", "sentiment", "urgency", "routine", "intent_corrected"} <= set(frame.columns)
    assert frame["intent_corrected"].dropna().tolist() == ["store_info"]  # the one relabel
    recent = analytics.mentions(engine, since=T0 - timedelta(hours=1), channels=["reddit"])
    assert recent["channel"].astype(str).tolist() == ["reddit"]


def test_mentions_carry_the_newest_correction_only_where_it_differs_from_triage(engine):
    with engine.begin() as db:
        untriaged = add_mention(db, posted=T0 - minutes(1), intent=None)
        relabel(db, untriaged, agent="maya", now=T0, intent="spam")
        twice = add_mention(db, posted=T0, channel="reddit")
        relabel(db, twice, agent="maya", now=T0, intent="praise")
        relabel(db, twice, agent="omar", now=T0, intent="store_info", sentiment="negative")
        undone = add_mention(db, posted=T0 + minutes(1), risks=("legal_threat",))
        relabel(db, undone, agent="maya", now=T0, intent="praise")
        relabel(db, undone, agent="omar", now=T0, intent="order_status")  # back to what triage said

    frame = analytics.mentions(engine)

    assert frame["mention_id"].tolist() == [untriaged, twice, undone]  # oldest first
    corrections = frame.set_index("mention_id")[["intent_corrected", "sentiment_corrected"]].astype(object)
    assert corrections.where(corrections.notna(), None).values.tolist() == [["spam", None], ["store_info", "negative"], [None, None]]
    assert frame["risks"].tolist() == [None, (), ("legal_threat",)]
    assert [str(frame[name].dtype) for name in ("intent", "abstained", "author_followers", "fetched_at")] == [
        "category", "boolean", "Int64", "datetime64[ns, UTC]"
    ]
    assert analytics.mentions(engine, until=T0 + minutes(1), channels=["x"])["mention_id"].tolist() == [untriaged]
    assert analytics.mentions(engine, watches=["nobody"]).empty


def test_kpis_agree_with_the_cli_definitions(engine):
    with engine.begin() as db:
        _known_data_set(db)
    with engine.begin() as db:
        expected = cli_kpis(db, now=NOW, since=T0 - timedelta(hours=1))

    row = analytics.kpis(engine, since=T0 - timedelta(hours=1), now=NOW).loc["all"]

    assert (row["mentions"], row["answered"], row["auto_sent"]) == (expected.mentions, expected.answered, expected.auto_sent)
    assert (row["sla_items"], row["sla_breached"]) == (expected.sla_items, expected.sla_breached)
    assert row["automation_rate"] == expected.automation_rate and row["sla_breach_rate"] == expected.sla_breach_rate
    overall = expected.response_times[0]
    assert (row["frt_p50"], row["frt_p90"]) == (pd.Timedelta(overall.p50), pd.Timedelta(overall.p90))
    by_channel = analytics.kpis(engine, since=T0 - timedelta(hours=1), now=NOW, by=["channel"])
    assert by_channel.loc["reddit", "frt_p50"] == pd.Timedelta(minutes=30)


def test_volume_counts_per_bucket_and_the_other_loaders_answer(engine):
    with engine.begin() as db:
        _known_data_set(db)

    hourly = analytics.volume(engine, freq="1h", by=["channel"])

    assert int(hourly["mentions"].sum()) == 11
    assert set(analytics.replies(engine).columns) >= {"sent_at", "origin"}
    assert len(analytics.inbox(engine)) == 7
    assert analytics.alerts(engine).empty
