"""The triage classifiers: scikit-learn's estimator contract, calibrated confidence with an
abstention threshold that holds on unseen posts, the whole triage, and safe saving."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import beta
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from typer.testing import CliRunner

from socialcx.cli import app
from socialcx.triage.model import TextClassifier, abstention_threshold
from socialcx.triage.saved import load_classifier
from socialcx.triage.taxonomy import load_taxonomy
from socialcx.triage.triage import SEED, TriageModel

ROWS = list(csv.DictReader(SEED.open(encoding="utf-8")))


def sample(n: int, seed: int = 0) -> list[dict[str, str]]:
    return random.Random(seed).sample(ROWS, n)


@pytest.fixture(scope="module")
def small_triage(tmp_path_factory) -> TriageModel:
    """A triage model trained on 900 seed rows (the full seed takes half a minute)."""
    folder = tmp_path_factory.mktemp("triage")
    seed = folder / "seed.csv"
    with seed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROWS[0]))
        writer.writeheader()
        writer.writerows(sample(900))
    TriageModel.train(seed, folder / "model")
    return TriageModel.load(folder / "model")


def test_it_keeps_the_estimator_contract():
    texts, labels = [r["text"] for r in sample(300)], [r["sentiment"] for r in sample(300)]
    model = TextClassifier(C=1.0, cv=3)

    assert model.get_params() == {
        "C": 1.0, "target_precision": 0.99, "cv": 3, "class_weight": "balanced", "embeddings": False,
        "static_vectors": True,
    }
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        model.predict(["hello"])
    assert model.fit(texts, labels) is model
    assert set(model.predict(texts)) <= set(model.classes_)
    assert np.allclose(model.predict_proba(texts[:5]).sum(axis=1), 1.0)
    scores = cross_validate(TextClassifier(cv=3), texts, labels, cv=3)
    assert scores["test_score"].mean() > 0.6  # well above the 0.46 of always "negative"
    # N-grams alone, which need little regularisation; the dense static vectors hold up even at C 0.01.
    search = GridSearchCV(TextClassifier(cv=3, static_vectors=False), {"C": [0.01, 1.0]}, cv=3).fit(texts, labels)
    low, high = search.cv_results_["mean_test_score"]
    assert high > low  # the grid's C reaches the SVM: a hundredfold stronger regularisation costs accuracy
    assert search.best_params_ == {"C": 1.0} and search.best_estimator_.pipeline_.named_steps["model"].C == 1.0


def test_the_abstention_threshold_holds_on_posts_it_never_saw():
    rows = sample(len(ROWS), seed=1)
    train, held_out = rows[:2800], rows[2800:]
    model = TextClassifier().fit([r["text"] for r in train], [r["intent"] for r in train])

    labels, _, abstain = model.predict_with_confidence([r["text"] for r in held_out])
    truth = np.array([r["intent"] for r in held_out])
    kept = ~abstain

    assert model.cv_precision_ >= 0.99
    assert kept.mean() > 0.6
    assert (labels[kept] == truth[kept]).mean() >= 0.98


@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=200),
    st.sampled_from([0.5, 0.9, 0.99, 1.0]),
)
def test_the_threshold_is_the_lowest_that_keeps_precision_at_or_above_the_target(pairs, target):
    confidence = np.array([c for c, _ in pairs])
    correct = np.array([ok for _, ok in pairs])

    threshold = abstention_threshold(confidence, correct, target)

    # Every confidence is a possible threshold; the answer is the lowest whose kept predictions
    # show the target precision with 95 % confidence (the one-sided Clopper-Pearson lower bound
    # of their hits), or above every confidence (abstain always) when none does.
    holding = [c for c in np.unique(confidence) if _lower_bound(correct[confidence >= c]) >= target]
    if holding:
        assert threshold == min(holding)
    else:
        assert threshold > confidence.max()


def _lower_bound(kept: np.ndarray) -> float:
    hits = int(kept.sum())
    return float(beta.ppf(0.05, hits, len(kept) - hits + 1)) if hits else 0.0


def test_the_threshold_wants_evidence_not_a_lucky_streak():
    # Ten sure predictions, all right, then a long run that is right 95 % of the time: ten rows
    # cannot show a precision of 0.99, so the threshold must not be set by them alone.
    confidence = np.r_[np.full(10, 0.99), np.linspace(0.9, 0.5, 400)]
    correct = np.r_[np.ones(10, dtype=bool), np.arange(400) % 20 != 0]

    assert abstention_threshold(confidence, correct, 0.99) > 0.99
    assert abstention_threshold(confidence, correct, 0.9) < 0.6  # plenty of evidence for 0.9


def test_triage_is_routine_only_for_a_sure_routine_intent_without_risk(small_triage):
    taxonomy = load_taxonomy()
    results = small_triage.triage(
        ["@acme where is my order #A1234??", "@acme where is my order, my card 4111 1111 1111 1111 was charged", "meh"]
    )

    for result in results:
        assert result.routine == (taxonomy.routine(result.intent) and not result.abstained and not result.risks)
    assert results[1].risks == ("personal_data",) and not results[1].routine


def test_a_risk_raises_urgency(small_triage):
    [burned] = small_triage.triage(["my son got burned by the kettle you sold me"])

    assert "safety" in burned.risks and burned.urgency == "critical"


def test_triage_fields_are_complete_and_in_range(small_triage):
    results = small_triage.triage([r["text"] for r in sample(50, seed=2)])

    for result in results:
        assert 0 <= result.confidence <= 1 and -1 <= result.sentiment_score <= 1
        assert result.sentiment in ("negative", "neutral", "positive")
        assert result.urgency in ("low", "normal", "high", "critical")


def test_train_then_classify_round_trip(tmp_path):
    train = tmp_path / "history.jsonl"
    train.write_text("".join(json.dumps({"body": r["text"], "topic": r["intent"]}) + "\n" for r in sample(500)))
    posts = tmp_path / "posts.csv"
    wanted = sample(30, seed=3)
    with posts.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "body"])
        writer.writerows([(n, r["text"]) for n, r in enumerate(wanted)])
    runner = CliRunner()

    trained = runner.invoke(app, ["train", "--input", str(train), "--text-column", "body", "--label-column", "topic", "--out", str(tmp_path / "m")])
    assert trained.exit_code == 0, trained.output
    assert "Cross-validated: accuracy" in trained.output and "Abstains below a confidence of" in trained.output
    for name in ("model.skops", "metadata.json", "MODEL_CARD.md"):
        assert (tmp_path / "m" / name).is_file()
    curve = json.loads((tmp_path / "m" / "metadata.json").read_text())["precision_coverage"]
    assert "precision / coverage" in trained.output and f"{curve[0]['threshold']:.3f}" in trained.output
    assert [point["coverage"] for point in curve] == sorted(point["coverage"] for point in curve)[::-1]
    assert all(0 <= point["precision"] <= 1 for point in curve)

    classified = runner.invoke(app, ["classify", "--model", str(tmp_path / "m"), "--input", str(posts), "--text-column", "body", "--output", str(tmp_path / "out.jsonl")])
    assert classified.exit_code == 0, classified.output
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(out) == 30
    assert all(set(row) == {"label", "confidence", "abstain"} for row in out)
    model = load_classifier(tmp_path / "m")
    assert [row["label"] for row in out] == list(model.predict([r["text"] for r in wanted]))  # input order


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        ("text,intent\nhello,a\n", ["--label-column", "topic"], "no column topic; the columns are: text, intent"),
        ("", [], "no rows"),
        (b"text,intent\n\xff,a\n", [], "not UTF-8 text"),
        ("text,intent\na,x\nb,x\nc,x\n", [], "the labels have a single class"),
    ],
    ids=["missing column", "empty", "undecodable", "one class"],
)
def test_bad_training_input_is_one_clear_line(tmp_path, content, args, expected):
    path = tmp_path / "in.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())

    result = CliRunner().invoke(app, ["train", "--input", str(path), "--out", str(tmp_path / "m"), *args])

    assert result.exit_code == 1
    assert result.output.startswith("error: ") and expected in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_model_file_with_foreign_types_is_refused(tmp_path):
    (tmp_path / "m").mkdir()
    sio.dump({"model": Path("/etc/passwd")}, tmp_path / "m" / "model.skops")  # a type nobody vetted

    with pytest.raises(Exception, match="refusing to load types socialcx does not trust"):
        load_classifier(tmp_path / "m")


def test_a_model_that_is_not_ours_is_refused(tmp_path):
    (tmp_path / "m").mkdir()
    sio.dump(LogisticRegression(), tmp_path / "m" / "model.skops")

    with pytest.raises(Exception, match="not a socialcx classifier"):
        load_classifier(tmp_path / "m")


def test_near_copies_of_one_phrasing_cannot_vouch_for_each_other():
    # Each "phrasing" is five random words with its label, written out six times with other
    # numbers: copies are easy to recognise, but nothing carries over to a new phrasing.
    rng = random.Random(4)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=6)) for _ in range(400)]
    texts, labels, groups = [], [], []
    for phrasing in range(120):
        body, label = " ".join(rng.sample(words, 5)), "ab"[phrasing % 2]
        for copy in range(6):
            texts.append(f"{body} order {copy}{rng.randint(100, 999)}")
            labels.append(label)
            groups.append(phrasing)

    copies_vouch = TextClassifier(cv=3).fit(texts, labels)
    kept_apart = TextClassifier(cv=3).fit(texts, labels, groups)

    assert copies_vouch.cv_accuracy_ > 0.9
    assert kept_apart.cv_accuracy_ < 0.7  # about chance, as it would be on new phrasings
    assert kept_apart.cv_coverage_ < copies_vouch.cv_coverage_


def test_a_sentiment_model_trained_on_other_texts_gives_its_own_answers_in_triage(small_triage):
    rows = sample(600, seed=5)
    sentiment = TextClassifier(cv=2).fit([f"{r['text']} !" for r in rows], [r["sentiment"] for r in rows])
    model = TriageModel(small_triage.intent, sentiment, small_triage.urgency, load_taxonomy())
    texts = [r["text"] for r in sample(40, seed=6)]

    results = model.triage(texts)

    assert [r.sentiment for r in results] == list(sentiment.predict(texts))
    assert [r.intent for r in results] == list(small_triage.intent.predict(texts))
