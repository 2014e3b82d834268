"""Ingest: idempotent, atomic, normalizing, and losing nothing it cannot understand."""

from __future__ import annotations

import asyncio
import importlib
import json
import threading
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcx import (
    Batch,
    Channel,
    IngestError,
    Mention,
    Rejected,
    connect,
    ingest,
    load_cursor,
    normalize_text,
)
from socialcx.collect.ingest import retry_dead_letters
from socialcx.store import Cursor, DeadLetter, MentionTriage, SpikeCount
from socialcx.store import Mention as StoredMention


def item(external_id: Any, text: str = "where is my order @acme", **fields: Any) -> Mention:
    return Mention(**{"created_at": "2026-11-25T08:00:00Z", "author_handle": "@jess", **fields}, external_id=external_id, text=text)


def stored(engine: sa.Engine, table: Any = StoredMention) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(sa.select(table.__table__)).mappings()]


def test_a_batch_lands_with_its_cursor(engine, clock):
    report = ingest(engine, Batch(Channel.X, "acme", [item("1"), item("2")], cursor="2"), clock=clock)

    assert (report.new, report.duplicates, report.dead_letters) == (2, (), 0)
    assert report.cursor_advanced
    assert load_cursor(engine, Channel.X, "acme") == "2"
    rows = {row["external_id"]: row for row in stored(engine)}
    assert rows["1"]["channel"] == "x" and rows["1"]["watch"] == "acme"
    assert rows["1"]["created_at"] == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert rows["1"]["fetched_at"] == clock.now()


def test_reingesting_a_batch_changes_nothing_and_reports_the_duplicates(engine, clock):
    batch = Batch(Channel.X, "acme", [item("1"), item("2"), Mention(None, "no id", None)], cursor="2")
    ingest(engine, batch, clock=clock)
    before = (stored(engine), stored(engine, Cursor), stored(engine, DeadLetter))

    clock.advance(timedelta(minutes=5))
    again = ingest(engine, batch, clock=clock)

    assert again.new == 0
    assert sorted(again.duplicates) == ["1", "2"]
    assert not again.cursor_advanced
    assert (stored(engine), stored(engine, Cursor), stored(engine, DeadLetter)) == before


def test_overlapping_batches_store_each_mention_once(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", [item("1"), item("2")], cursor="2"), clock=clock)
    report = ingest(engine, Batch(Channel.X, "acme", [item("2"), item("3"), item("3")], cursor="3"), clock=clock)

    assert report.new == 1
    assert sorted(report.duplicates) == ["2", "3"]
    assert sorted(row["external_id"] for row in stored(engine)) == ["1", "2", "3"]


def test_the_same_id_on_two_channels_is_two_mentions(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", [item("42")]), clock=clock)
    report = ingest(engine, Batch(Channel.MASTODON, "acme", [item("42")]), clock=clock)

    assert report.new == 1
    assert sorted(row["channel"] for row in stored(engine)) == ["mastodon", "x"]


def test_a_failure_mid_batch_stores_nothing_and_keeps_the_cursor(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", [item("1")], cursor="1"), clock=clock)
    before = stored(engine)

    def fail_on_cursor(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO CURSOR"):
            # after the mentions were inserted in this transaction
            raise sa.exc.OperationalError(statement, parameters, Exception("disk full"))

    sa.event.listen(engine, "before_cursor_execute", fail_on_cursor)
    batch = Batch(Channel.X, "acme", [item("2"), item("3"), Mention(None, None, None, raw={"bad": True})], cursor="3")
    with pytest.raises(IngestError, match="not stored .*cursor was not advanced"):
        ingest(engine, batch, clock=clock)
    sa.event.remove(engine, "before_cursor_execute", fail_on_cursor)

    assert stored(engine) == before
    assert stored(engine, DeadLetter) == []
    assert load_cursor(engine, Channel.X, "acme") == "1"
    # The next poll fetches the same items again, and this time they land.
    assert ingest(engine, batch, clock=clock).new == 2


def test_a_database_refusing_one_row_rolls_back_the_whole_batch(tmp_path, clock):
    engine = connect(f"sqlite:///{tmp_path / 'trigger.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON mention WHEN NEW.external_id = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
        )
    with pytest.raises(IngestError, match="refused by trigger"):
        ingest(engine, Batch(Channel.X, "acme", [item("1"), item("boom"), item("3")], cursor="3"), clock=clock)

    assert stored(engine) == []
    assert load_cursor(engine, Channel.X, "acme") is None


def test_what_cannot_be_understood_goes_to_dead_letters_and_the_rest_lands(engine, clock):
    items = [
        item("1"),
        Mention("2", "no date", None),
        item("3", created_at="not a date"),
        item("", text="blank id"),
        item("5", author_followers=-3),
        ["not", "an", "object"],
        Rejected('{"id": "6", "text": "trunc', "malformed JSON: unterminated string"),
        item("7"),
    ]
    report = ingest(engine, Batch(Channel.REDDIT, "acme", items, cursor="7"), clock=clock)

    assert report.new == 2 and report.dead_letters == 6
    assert sorted(row["external_id"] for row in stored(engine)) == ["1", "7"]
    dead = stored(engine, DeadLetter)
    reasons = " | ".join(row["reason"] for row in dead)
    for expected in ("created_at", "external_id", "author_followers", "expected a Mention", "malformed JSON"):
        assert expected in reasons
    assert {row["channel"] for row in dead} == {"reddit"}
    payloads = [row["payload"] for row in dead]
    assert '{"id": "6", "text": "trunc' in payloads
    assert any(json.loads(payload)["text"] == "no date" for payload in payloads[:2])
    assert load_cursor(engine, Channel.REDDIT, "acme") == "7"


def test_a_payload_that_is_not_json_is_dead_lettered(engine, clock):
    report = ingest(engine, Batch(Channel.X, "acme", [item("1", raw={"when": object()}), item("2")]), clock=clock)

    assert report.new == 1
    assert "raw: cannot be stored as JSON" in stored(engine, DeadLetter)[0]["reason"]


def test_raw_payload_defaults_to_the_item_and_keeps_the_original_text(engine, clock):
    long_text = "refund please " * 2000
    ingest(engine, Batch(Channel.X, "acme", [item("1", text=long_text)]), clock=clock, max_text_chars=280)

    row = stored(engine)[0]
    assert len(row["text"]) == 280 and row["text"].endswith("…")
    assert row["raw"]["text"] == long_text


def test_an_unchanged_cursor_keeps_its_advance_time(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", [item("1")], cursor="1"), clock=clock)
    first = stored(engine, Cursor)[0]["advanced_at"]
    clock.advance(timedelta(minutes=10))

    assert not ingest(engine, Batch(Channel.X, "acme", [], cursor="1"), clock=clock).cursor_advanced
    assert stored(engine, Cursor)[0]["advanced_at"] == first
    assert ingest(engine, Batch(Channel.X, "acme", [], cursor="9"), clock=clock).cursor_advanced
    assert stored(engine, Cursor)[0]["advanced_at"] == clock.now()


def test_a_batch_without_cursor_leaves_the_stored_one(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", [item("1")], cursor="1"), clock=clock)
    ingest(engine, Batch(Channel.X, "acme", [item("2")]), clock=clock)

    assert load_cursor(engine, Channel.X, "acme") == "1"


def test_times_are_stored_in_utc_and_read_back_aware(engine, clock):
    items = [
        item("1", created_at="2026-11-25T10:00:00+02:00"),
        item("2", created_at="2026-11-25T08:00:00"),  # no offset: UTC
        item("3", created_at=1764057600),  # epoch seconds
    ]
    ingest(engine, Batch(Channel.X, "acme", items), clock=clock)

    times = {row["external_id"]: row["created_at"] for row in stored(engine)}
    assert times["1"] == times["2"] == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert times["3"] == datetime.fromtimestamp(1764057600, UTC)


def test_overlong_fields_are_cut_to_their_columns(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", [item("1", author_name="N" * 1000, language="x" * 40)]), clock=clock)

    row = stored(engine)[0]
    assert len(row["author_name"]) == 255 and len(row["language"]) == 16


def test_nul_and_lone_surrogates_are_stored_safely(engine, clock):
    text = "charged\x00 twice \ud83d and \u200bhidden"
    ingest(engine, Batch(Channel.X, "acme", [item("1", text=text), Rejected("bad\x00payload\udc00", "x")]), clock=clock)

    assert stored(engine)[0]["text"] == "charged twice \ufffd and hidden"
    assert stored(engine, DeadLetter)[0]["payload"] == "bad\\x00payload\\udc00"


# -- normalization ---------------------------------------------------------------------------

_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066"}


@given(st.text(), st.integers(min_value=2, max_value=500))
def test_normalized_text_is_clean_nfc_capped_and_stable(text, cap):
    once = normalize_text(text, cap)

    assert normalize_text(once, cap) == once
    assert unicodedata.is_normalized("NFC", once)
    assert len(once) <= cap
    assert not _INVISIBLE & set(once)
    assert all(ch in "\t\n" or unicodedata.category(ch) != "Cc" for ch in once)
    assert once == once.strip()


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"])))
def test_visible_text_keeps_its_meaning(text):
    assert normalize_text(text) == unicodedata.normalize("NFC", text).strip()


def test_normalization_examples():
    assert normalize_text("cafe\u0301") == "café"
    assert normalize_text("  line one\r\nline two\r ") == "line one\nline two"
    assert normalize_text("\u202egnp.exe\u202c and ze\u200bro") == "gnp.exe and zero"
    assert normalize_text("a" * 10, 5) == "aaaa…"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=3000), min_size=1, max_size=5))
def test_any_text_round_trips_through_the_store(engine, clock, texts):
    ids = [uuid.uuid4().hex for _ in texts]  # the examples share one database
    ingest(engine, Batch(Channel.X, "acme", [item(i, text=t) for i, t in zip(ids, texts)]), clock=clock)

    with engine.connect() as connection:
        query = sa.select(StoredMention.__table__).where(StoredMention.__table__.c.external_id.in_(ids))
        rows = {row["external_id"]: row for row in connection.execute(query).mappings()}
    for external_id, text in zip(ids, texts):
        assert rows[external_id]["text"] == normalize_text(text)
        assert rows[external_id]["raw"]["text"] == text


class _Triager:
    """Stands in for the triage model: an order status, a safety risk for fire, counting what it saw."""

    version = "stub@1"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def triage(self, texts):
        from socialcx.triage import Triage

        self.seen.extend(texts)
        return [
            Triage("order_status", 0.9, False, "neutral", 0.0, "normal", "en", ("safety",) if "fire" in t else (), True)
            for t in texts
        ]


def test_with_triage_every_new_mention_is_stored_with_it(engine, clock):
    triager = _Triager()
    ingest(engine, Batch(Channel.X, "acme", [item("1"), item("2", text="charger on fire")]), clock=clock, triage=triager)
    ingest(engine, Batch(Channel.X, "acme", [item("2"), item("3")]), clock=clock, triage=triager)

    rows = stored(engine, MentionTriage)
    assert len(rows) == 3 == len(stored(engine))
    assert sorted(row["risks"] for row in rows) == [[], [], ["safety"]]
    assert all(row["intent"] == "order_status" and row["routine"] for row in rows)
    assert all(row["model_version"] == "stub@1" and row["triaged_at"] == clock.now() for row in rows)


def test_without_triage_nothing_is_triaged(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", [item("1")]), clock=clock)

    assert stored(engine, MentionTriage) == []


def test_only_mentions_not_stored_yet_are_triaged(engine, clock):
    triager = _Triager()
    ingest(engine, Batch(Channel.X, "acme", [item("1", text="one"), item("2", text="two")]), clock=clock, triage=triager)
    batch = [item("2", text="two"), item("3", text="three"), item("3", text="three"), Mention(None, "no id", None)]
    report = ingest(engine, Batch(Channel.X, "acme", batch, cursor="3"), clock=clock, triage=triager)

    assert triager.seen == ["one", "two", "three"]  # neither the stored, the repeated nor the dead
    assert (report.new, sorted(report.duplicates), report.dead_letters) == (1, ["2", "3"], 1)
    assert len(stored(engine, MentionTriage)) == 3
    assert load_cursor(engine, Channel.X, "acme") == "3"


def test_two_ingests_of_one_batch_at_once_store_triage_and_count_each_mention_once(engine, clock):
    both_triaged = threading.Barrier(2, timeout=10)

    class RacingTriager(_Triager):
        def triage(self, texts):
            both_triaged.wait()  # both have found the mentions unstored before either writes
            return super().triage(texts)

    batch = Batch(Channel.X, "acme", [item(str(n)) for n in range(50)], cursor="49")
    reports = []

    def run():
        reports.append(ingest(engine, batch, clock=clock, triage=RacingTriager()))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(report.new for report in reports) == [0, 50]
    assert sorted(len(report.duplicates) for report in reports) == [0, 50]
    assert len(stored(engine)) == len(stored(engine, MentionTriage)) == 50
    counts = {(row["channel"], row["slice"]): row["count"] for row in stored(engine, SpikeCount)}
    assert counts["x", "all"] == counts["all", "all"] == 50


def test_a_large_batch_is_stored_in_chunks_and_a_failed_chunk_is_fetched_again(engine, clock, monkeypatch):
    monkeypatch.setattr(importlib.import_module("socialcx.collect.ingest"), "_CHUNK", 2)  # the module, not the function
    inserts = []

    def fail_second_chunk(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO mention"):
            inserts.append(statement)
            if len(inserts) == 2:
                raise sa.exc.OperationalError(statement, parameters, Exception("database is locked"))

    batch = Batch(Channel.X, "acme", [item(str(n)) for n in range(5)] + [Mention(None, "no id", None)], cursor="4")
    sa.event.listen(engine, "before_cursor_execute", fail_second_chunk)
    with pytest.raises(IngestError, match="not stored beyond its first 2 mentions .database is locked.; the cursor"):
        ingest(engine, batch, clock=clock)
    sa.event.remove(engine, "before_cursor_execute", fail_second_chunk)

    assert sorted(row["external_id"] for row in stored(engine)) == ["0", "1"]  # the first chunk stands
    assert load_cursor(engine, Channel.X, "acme") is None
    assert stored(engine, DeadLetter) == []  # it goes with the cursor, in the last chunk
    again = ingest(engine, batch, clock=clock)
    assert (again.new, sorted(again.duplicates), again.dead_letters) == (3, ["0", "1"], 1)
    assert sorted(row["external_id"] for row in stored(engine)) == ["0", "1", "2", "3", "4"]
    assert load_cursor(engine, Channel.X, "acme") == "4"


def test_a_dead_letter_naming_its_post_is_retried_and_on_a_channel_that_cannot_look_it_up_goes_to_a_person(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", [item("7", text=None), Rejected("<html>", "broken page")]), clock=clock)
    letters = {row["external_id"]: row for row in stored(engine, DeadLetter)}
    assert (letters["7"]["state"], letters["7"]["next_attempt_at"]) == ("retrying", clock.now())
    assert letters[None]["state"] == "unreadable"

    report = asyncio.run(retry_dead_letters(engine, Channel.X, "acme", None, limit=25, clock=clock))

    letters = {row["external_id"]: row for row in stored(engine, DeadLetter)}
    assert report.unreadable == 1 and letters["7"]["state"] == "unreadable"
    assert letters["7"]["reason"] == "text: Input should be a valid string; x cannot look a post up again"
