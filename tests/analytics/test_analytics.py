"""The analysts' DataFrames: typed columns in UTC, and KPIs that agree with the CLI's, number
for number, on the known data set of the KPI tests."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from socialcx import analytics
from socialcx.kpis import kpis as cli_kpis
from tests.inbox.test_kpis import NOW, T0, _known_data_set


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
