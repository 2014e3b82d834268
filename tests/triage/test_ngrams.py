"""The faster n-gram transform gives, bit for bit, the features scikit-learn's own gives."""

from __future__ import annotations

import csv
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcx.triage.model import TextClassifier, text_features
from socialcx.triage.ngrams import transform_block
from socialcx.triage.triage import SEED

TEXTS = [row["text"] for row in csv.DictReader(SEED.open(encoding="utf-8"))]
AWKWARD = [
    "",
    "   ",
    "👍",
    "HTTPS://ACME.COM/ORDER stays a word once lower-cased",
    "tabs\tand\nnew lines\r\nand\u00a0no-break\u2003spaces",
    "İstanbul ΣΊΣΥΦΟΣ Straße ﬁne",
    "order order order #A1234 #A1234 ORDER",
    "@acme @AcmeSupport@mastodon.social http://x.co/a?b=1 call 07700 900123",
    "a b c d e f g",
    "² ³ ٣ digits of other kinds",
]


def identical(a, b) -> bool:
    a, b = a.tocsr(), b.tocsr()
    return (
        type(a) is type(b)
        and a.dtype == b.dtype
        and a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


@pytest.fixture(scope="module")
def blocks():
    return text_features(static_vectors=False).fit(random.Random(0).sample(TEXTS, 1_500)).transformer_list


def test_each_block_matches_scikit_learn_on_seed_posts_and_awkward_text(blocks):
    texts = TEXTS + AWKWARD
    for name, block in blocks:
        assert identical(transform_block(block, texts), block.transform(texts)), name


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=8))
def test_each_block_matches_scikit_learn_on_any_text(blocks, texts):
    for name, block in blocks:
        assert identical(transform_block(block, texts), block.transform(texts)), name


def test_a_second_batch_reusing_remembered_words_is_still_exact(blocks):
    first, second = TEXTS[:500], TEXTS[400:900]
    for _, block in blocks:
        transform_block(block, first)
        assert identical(transform_block(block, second), block.transform(second))


def test_classifier_features_are_those_of_its_pipeline():
    intents = [row["intent"] for row in csv.DictReader(SEED.open(encoding="utf-8"))]
    model = TextClassifier(cv=2).fit(TEXTS[:600], intents[:600])
    batch = TEXTS[600:900] + AWKWARD
    union = model.pipeline_.named_steps["features"]
    assert identical(model.features(batch), union.transform(batch))
