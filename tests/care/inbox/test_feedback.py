"""Relabels are kept as feedback; retraining on them reports old against new, then switches."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from socialcx.care.feedback import relabel, retrain_with_feedback, training_rows
from socialcx.care.inbox import enqueue, list_items
from socialcx.errors import UsageError
from socialcx.store import Feedback
from socialcx.triage.triage import MODEL_VERSION, SEED, TriageModel, active_model_dir
from tests.care.inbox.conftest import add_mention

DOUBLE_CHARGES = ("you charged my card twice for one order", "double charge on my statement again", "billed two times, fix it")


def test_a_relabel_is_stored_as_feedback_and_wins_over_the_model(db, clock):
    mention_id = add_mention(db, posted=clock.now(), intent="other", sentiment="neutral")
    enqueue(db, mention_id, reason="abstained", now=clock.now())

    stored = relabel(db, mention_id, agent="maya", now=clock.now(), intent="billing_problem", sentiment="negative")
    again = relabel(db, mention_id, agent="omar", now=clock.now(), intent="billing_problem")

    rows = db.execute(sa.select(Feedback.mention_id, Feedback.field, Feedback.old, Feedback.new, Feedback.agent, Feedback.at)).all()
    assert sorted(rows) == [
        (mention_id, "intent", "other", "billing_problem", "maya", clock.now()),
        (mention_id, "sentiment", "neutral", "negative", "maya", clock.now()),
    ]
    assert again == []  # nothing new to say
    [item] = list_items(db)
    assert (item.intent, item.sentiment) == ("billing_problem", "negative")
    clock.advance(timedelta(minutes=1))
    relabel(db, mention_id, agent="omar", now=clock.now(), intent="return_refund")
    assert list_items(db)[0].intent == "return_refund"  # the newest correction wins


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"intent": "refund"}, "'refund' is not a known intent; expected one of: order_status, "),
        ({"sentiment": "angry"}, "'angry' is not a known sentiment; expected one of: negative, neutral, positive"),
        ({}, "say what to relabel"),
    ],
)
def test_a_label_outside_the_taxonomy_is_refused(db, clock, change, message):
    mention_id = add_mention(db, posted=clock.now())
    with pytest.raises(UsageError, match=message):
        relabel(db, mention_id, agent="maya", now=clock.now(), **change)
    assert db.execute(sa.select(sa.func.count()).select_from(Feedback)).scalar_one() == 0


def test_training_rows_take_corrected_labels_and_the_stored_triage_for_the_rest(db, clock):
    corrected = add_mention(db, posted=clock.now(), text="charged twice!!", intent="other", sentiment="neutral", urgency="high")
    add_mention(db, posted=clock.now(), text="untouched")
    untriaged = add_mention(db, posted=clock.now(), text="never triaged", intent=None)
    relabel(db, corrected, agent="maya", now=clock.now(), intent="billing_problem")
    relabel(db, untriaged, agent="maya", now=clock.now(), intent="spam")

    assert training_rows(db) == [{"text": "charged twice!!", "intent": "billing_problem", "sentiment": "neutral", "urgency": "high"}]


def _small_seed(folder: Path, per_intent: int = 12) -> Path:
    """A stratified slice of the seed set: every intent, sentiment and urgency, fast to train."""
    with SEED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_intent: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if len(by_intent[row["intent"]]) < per_intent:
            by_intent[row["intent"]].append(row)
    path = folder / "seed.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "intent", "sentiment", "urgency"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(row for chosen in by_intent.values() for row in chosen)
    return path


def test_retraining_reports_old_and_new_before_switching_the_default(engine, clock, tmp_path):
    seed, root = _small_seed(tmp_path), tmp_path / "models"
    running = root / f"v{MODEL_VERSION}"
    running.mkdir(parents=True)
    (running / "in-use").write_text("the model a running process has loaded")
    with engine.begin() as db:
        for text in DOUBLE_CHARGES:
            mention_id = add_mention(db, posted=clock.now(), text=text, intent="other", urgency="high")
            relabel(db, mention_id, agent="maya", now=clock.now(), intent="billing_problem", sentiment="negative")
    seen = []

    def compared(comparison):
        # Reported before anything is written: the default is still the running model.
        seen.append(comparison)
        assert active_model_dir(root) == running and sorted(p.name for p in root.iterdir()) == [running.name]

    report = retrain_with_feedback(engine, now=clock.now(), seed=seed, root=root, on_compared=compared)

    [comparison] = seen
    assert (comparison.seed_rows, comparison.feedback_rows, comparison.dev_rows) == (168, 3, 34)
    assert [quality.task for quality in comparison.old] == [quality.task for quality in comparison.new] == ["intent", "sentiment", "urgency"]
    assert report.folder == root / f"v{MODEL_VERSION}-feedback-20261125T090000Z"
    assert (root / "ACTIVE").read_text().strip() == report.folder.name
    assert active_model_dir(root) == report.folder
    assert (running / "in-use").read_text() == "the model a running process has loaded"
    model = TriageModel.load(report.folder)
    assert model.version == report.version == f"v{MODEL_VERSION}-feedback-20261125T090000Z@20261125T090000Z"
    # The seed alone reads two of the three as something else; the new default learned the relabels.
    assert list(model.intent.predict(DOUBLE_CHARGES)) == ["billing_problem"] * 3


class Declined(Exception):
    """Raised where an agent would decline the comparison."""


def test_the_comparison_scores_the_model_without_and_with_the_feedback(engine, clock, tmp_path):
    # Agents "correct" every seed post to spam: the held-out posts are then in the feedback with
    # the wrong intent, so the model with the feedback must score far worse on them than without.
    seed = _small_seed(tmp_path)
    with engine.begin() as db, seed.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            mention_id = add_mention(db, posted=clock.now(), text=row["text"], intent=row["intent"], sentiment=row["sentiment"], urgency=row["urgency"])
            relabel(db, mention_id, agent="maya", now=clock.now(), intent="spam")
    seen = []

    def compared(comparison):
        seen.append(comparison)
        raise Declined  # the agent declines: nothing is trained or switched

    with pytest.raises(Declined):
        retrain_with_feedback(engine, now=clock.now(), seed=seed, root=tmp_path / "models", on_compared=compared)

    [comparison] = seen
    old, new = comparison.old[0], comparison.new[0]
    assert old.task == new.task == "intent"
    assert old.accuracy > 0.4 and old.macro_f1 > 0.4  # fourteen intents: chance is 0.07
    assert new.accuracy < old.accuracy - 0.25 and new.macro_f1 < old.macro_f1 - 0.25
    assert not (tmp_path / "models").exists()


def test_retraining_without_feedback_is_refused_and_changes_nothing(engine, clock, tmp_path):
    root = tmp_path / "models"
    with pytest.raises(UsageError, match="no relabelled mentions to learn from"):
        retrain_with_feedback(engine, now=clock.now(), seed=_small_seed(tmp_path), root=root)
    assert not root.exists()


# Stand-ins for the public tweets the shipped sentiment learned from: labelled against what the
# seed set alone would say, so a sentiment classifier retrained without them reads them otherwise.
PUBLIC = ("my flight got cancelled lol", "sitting on the tarmac for three hours", "lost my bag in denver again")


def _model_in_use(root: Path, seed: Path, clock) -> TriageModel:
    """A complete model in use under `root` whose sentiment also learned from tweets not at hand later."""
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    public = [(text, "positive") for text in PUBLIC for _ in range(8)]
    return TriageModel.train_rows(rows, root / f"v{MODEL_VERSION}", source=seed.name, now=clock.now(), sentiment_rows=public)


def _relabel_double_charges(engine, clock, **change) -> None:
    with engine.begin() as db:
        for text in DOUBLE_CHARGES:
            mention_id = add_mention(db, posted=clock.now(), text=text, intent="other", sentiment="neutral", urgency="high")
            relabel(db, mention_id, agent="maya", now=clock.now(), **change)


def _metadata(folder: Path) -> dict:
    return json.loads((folder / "metadata.json").read_text())


def test_relabelling_intents_keeps_the_sentiment_and_urgency_classifiers_in_use(engine, clock, tmp_path):
    seed, root = _small_seed(tmp_path), tmp_path / "models"
    old = _model_in_use(root, seed, clock)
    assert list(old.sentiment.predict(PUBLIC)) == ["positive"] * 3
    _relabel_double_charges(engine, clock, intent="billing_problem")
    clock.advance(timedelta(hours=1))
    seen = []

    report = retrain_with_feedback(engine, now=clock.now(), seed=seed, root=root, on_compared=seen.append)

    [comparison] = seen
    assert [quality.task for quality in comparison.old] == [quality.task for quality in comparison.new] == ["intent"]
    assert (comparison.kept, comparison.in_use, comparison.notes) == (("sentiment", "urgency"), f"v{MODEL_VERSION}", ())
    new = TriageModel.load(report.folder)
    texts = [*PUBLIC, *DOUBLE_CHARGES, "thanks, the new app is great"]
    assert np.array_equal(new.sentiment.predict_proba(texts), old.sentiment.predict_proba(texts))
    assert np.array_equal(new.urgency.predict_proba(texts), old.urgency.predict_proba(texts))
    assert list(new.intent.predict(DOUBLE_CHARGES)) == ["billing_problem"] * 3
    sentiment = _metadata(report.folder / "sentiment")
    assert sentiment["kept_from"] == f"v{MODEL_VERSION}" and sentiment["source"] == "seed.csv + 24 public labelled tweets"
    assert "kept_from" not in _metadata(report.folder / "intent")
    assert report.version == f"{report.folder.name}@20261125T100000Z"  # dated when it trained the intent


def test_relabelling_a_sentiment_retrains_it_and_says_the_public_tweets_are_replaced(engine, clock, tmp_path):
    seed, root = _small_seed(tmp_path), tmp_path / "models"
    old = _model_in_use(root, seed, clock)
    _relabel_double_charges(engine, clock, sentiment="negative")

    report = retrain_with_feedback(engine, now=clock.now(), seed=seed, root=root)

    assert [quality.task for quality in report.comparison.new] == ["sentiment"] and report.comparison.kept == ("intent", "urgency")
    [note] = report.comparison.notes
    assert note.startswith(f"The sentiment classifier in use (v{MODEL_VERSION}) learned from seed.csv + 24 public labelled tweets")
    assert "not available at run time" in note and "replaces it" in note
    new = TriageModel.load(report.folder)
    assert list(new.sentiment.predict(PUBLIC)) != list(old.sentiment.predict(PUBLIC))  # the public tweets are forgotten
    assert list(new.sentiment.predict(DOUBLE_CHARGES)) == ["negative"] * 3
    assert _metadata(report.folder / "sentiment")["source"] == "seed.csv + 3 relabelled mentions"
    assert np.array_equal(new.intent.predict_proba(DOUBLE_CHARGES), old.intent.predict_proba(DOUBLE_CHARGES))
