"""A faster, exact `transform` for fitted TF-IDF blocks, which was most of triage's time.

scikit-learn counts n-grams one at a time in a Python loop, and its `char_wb` analyzer cuts every
word of every post into its 2- to 5-grams afresh; its input checks, for a post triaged alone, cost
more than the counting. Here a post's n-grams are mapped to vocabulary
columns in one comprehension, and a word's character n-grams, which depend on the word alone, are
remembered: posts share most of their words. The counts then go through the vectorizer's own
TF-IDF arithmetic, so the features are bit for bit those of `TfidfVectorizer.transform`
(`tests/triage/test_ngrams.py` checks it).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

__all__ = ["transform_block"]

_REMEMBERED_WORDS = 200_000  # per vectorizer, a few tens of MB at most; then forgotten at once

_columns_of_words: weakref.WeakKeyDictionary[TfidfVectorizer, dict[str, list[int]]] = (
    weakref.WeakKeyDictionary()
)


def transform_block(block: Any, texts: Sequence[str]) -> Any:
    """`block.transform(texts)`: counted here when the block is a TF-IDF vectorizer of text
    (the triage features), else by the block itself."""
    if not (isinstance(block, TfidfVectorizer) and block.input == "content" and not block.binary):
        return block.transform(texts)
    counts = _counts(block, texts)
    if not (block.use_idf and block.norm == "l2"):
        return block._tfidf.transform(counts, copy=False)
    # `TfidfTransformer.transform`'s arithmetic without its input checks, which cost more than
    # the arithmetic when a post is triaged alone.
    if block.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    counts.data *= block.idf_[counts.indices]
    inplace_csr_row_normalize_l2(counts)
    return counts


def _counts(block: TfidfVectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    """The n-gram count matrix `CountVectorizer.transform` builds (float, columns sorted)."""
    char_wb = block.analyzer == "char_wb"
    columns_of = _char_wb_columns(block) if char_wb else _analyzed_columns(block)
    columns: list[int] = []
    row_ends = [0]
    for text in texts:
        columns.extend(columns_of(text))
        row_ends.append(len(columns))
    ones = np.ones(len(columns), dtype=block.dtype)
    counts = sp.csr_matrix(  # the type `TfidfVectorizer.transform` returns
        (ones, np.asarray(columns, dtype=np.int32), np.asarray(row_ends, dtype=np.int32)),
        shape=(len(texts), len(block.vocabulary_)),
    )
    counts.sum_duplicates()  # an n-gram seen twice becomes a count of 2, and the columns are sorted
    return counts


def _analyzed_columns(block: TfidfVectorizer) -> Callable[[str], list[int]]:
    """The vocabulary columns of a text's n-grams, once per occurrence (unknown ones left out)."""
    analyze, column = block.build_analyzer(), block.vocabulary_.get
    return lambda text: [index for index in map(column, analyze(text)) if index is not None]


def _char_wb_columns(block: TfidfVectorizer) -> Callable[[str], list[int]]:
    """Like `_analyzed_columns` for character n-grams within words: scikit-learn's `char_wb`
    analysis of a text is its preprocessing, then each whitespace-separated word cut alone."""
    preprocess, column = block.build_preprocessor(), block.vocabulary_.get
    known = _columns_of_words.setdefault(block, {})
    if len(known) > _REMEMBERED_WORDS:
        known.clear()

    def columns_of_word(word: str) -> list[int]:
        found = known.get(word)
        if found is None:
            grams = block._char_wb_ngrams(word)
            found = known[word] = [index for index in map(column, grams) if index is not None]
        return found

    return lambda text: [i for word in preprocess(text).split() for i in columns_of_word(word)]
