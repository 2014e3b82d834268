"""Static token vectors: BERT's tokenization, mean vectors that carry meaning, a classifier that
saves the table's name rather than the table, and clear refusals for a missing or changed table."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime

import numpy as np
import pytest
import skops.io as sio
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcx.errors import UsageError
from socialcx.triage import static_vectors
from socialcx.triage.model import TextClassifier, prepare_text
from socialcx.triage.saved import ModelMetadata, load_classifier, save_classifier
from socialcx.triage.static_vectors import StaticVectors, load_table, wordpieces
from socialcx.triage.triage import SEED

ROWS = random.Random(7).sample(list(csv.DictReader(SEED.open(encoding="utf-8"))), 160)
TEXTS, INTENTS = [r["text"] for r in ROWS], [r["intent"] for r in ROWS]


@pytest.fixture
def tiny_table(tmp_path, monkeypatch):
    """A four-token table named "tiny" under a temporary root."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    np.save(folder / "vectors.npy", np.eye(4, 3, dtype=np.float16))
    (folder / "vocab.txt").write_text("parcel\nlate\n##s\n!\n", encoding="utf-8")
    monkeypatch.setattr(static_vectors, "STATIC_ROOT", tmp_path)
    static_vectors._load_table.cache_clear()
    yield folder
    static_vectors._load_table.cache_clear()


def test_wordpiece_takes_the_longest_known_piece_first():
    vocabulary = {"un", "##aff", "##able", "una", "##ff"}
    assert wordpieces("unaffable", vocabulary) == ["una", "##ff", "##able"]
    assert wordpieces("unx", vocabulary) == ["[UNK]"]  # BERT: one unmatched part makes the word unknown
    assert wordpieces("u" * 101, {"u", "##u"}) == ["[UNK]"]


def test_posts_are_cut_as_bert_cuts_them(tiny_table):
    table = load_table("tiny")
    # Lower case, accents and punctuation split off, "##s" continues a word, unknown words dropped.
    assert table.rows_of("Parcels LATE!! déjà") == [0, 2, 1, 3, 3]
    assert table.rows_of("par\u200dcel") == [0]  # a zero-width joiner is dropped, not a word break


def test_a_post_is_the_unit_mean_of_its_token_vectors(tiny_table):
    block = StaticVectors(table="tiny", weight=2.0).fit([])
    vectors = block.transform(["parcel late", "late", "nothing known here", ""])
    assert np.allclose(vectors[0], 2.0 * np.array([1, 1, 0]) / np.sqrt(2))
    assert np.allclose(vectors[1], [0, 2.0, 0])
    assert not vectors[2:].any()  # no known token: zeros, not NaN


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_any_text_gives_a_finite_unit_or_zero_vector_whatever_the_batch(texts):
    block = StaticVectors(preprocessor=prepare_text).fit([])
    together = block.transform(texts)
    norms = np.linalg.norm(together, axis=1)
    assert np.isfinite(together).all()
    assert np.all(np.isclose(norms, 1.0, atol=1e-5) | (norms == 0))
    assert np.allclose(together, np.vstack([block.transform([text]) for text in texts]), atol=1e-6)


def test_the_shipped_table_puts_posts_that_mean_the_same_close_together():
    block = StaticVectors(preprocessor=prepare_text).fit([])
    parcel, package, hoodie = block.transform(
        ["@acme where is my parcel? it has not arrived", "my package still hasn't been delivered", "love the new hoodie, so comfy"]
    )
    assert parcel @ package > parcel @ hoodie + 0.1


def test_a_missing_table_names_the_script_that_builds_it(tmp_path, monkeypatch):
    monkeypatch.setattr(static_vectors, "STATIC_ROOT", tmp_path)
    with pytest.raises(UsageError, match=r"static token vectors .*missing; rebuild them with python models/triage/build_static_vectors\.py"):
        StaticVectors(table="gone").fit([])


def test_a_model_refuses_a_table_that_changed_since_it_was_trained(tiny_table):
    block = StaticVectors(table="tiny").fit([])
    np.save(tiny_table / "vectors.npy", 2 * np.eye(4, 3, dtype=np.float16))
    static_vectors._load_table.cache_clear()  # as a new process would read it
    with pytest.raises(UsageError, match="changed since this model was trained; retrain it"):
        block.transform(["parcel late"])


def test_a_saved_classifier_holds_the_tables_name_not_the_table(tmp_path):
    model = TextClassifier(static_vectors=True, cv=2).fit(TEXTS, INTENTS)
    assert model.features(TEXTS[:2]).shape[1] == TextClassifier(static_vectors=False, cv=2).fit(TEXTS, INTENTS).features(TEXTS[:2]).shape[1] + 256
    metadata = ModelMetadata.describe(
        model, source="seed", text_column="text", label_column="intent", rows=len(TEXTS), trained_at=datetime.now(UTC)
    )
    save_classifier(model, metadata, tmp_path)

    assert "socialcx.triage.static_vectors.StaticVectors" in sio.get_untrusted_types(file=tmp_path / "model.skops")
    assert (tmp_path / "model.skops").stat().st_size < 2_000_000  # the 15 MB table stayed out
    assert "static token vectors" in (tmp_path / "MODEL_CARD.md").read_text()
    loaded = load_classifier(tmp_path)
    assert loaded.static_vectors is True
    assert np.allclose(loaded.predict_proba(TEXTS[:20]), model.predict_proba(TEXTS[:20]), atol=1e-5)
