"""Static token vectors as a feature block: most of a sentence encoder's help at n-gram speed.

`StaticVectors` turns a post into the mean of its WordPiece tokens' vectors, from a table distilled
once from all-MiniLM-L6-v2 (`models/triage/build_static_vectors.py`, which alone needs torch): each
token of the encoder's vocabulary encoded on its own, reduced by PCA and down-weighted by its
estimated frequency (model2vec's recipe). At run time it needs NumPy only. The table ships in
`models/triage/static/` and is read once per process; a saved classifier stores only the table's
name and checksum, so three classifiers share one copy and a changed table is refused.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from socialcx.errors import UsageError

__all__ = ["STATIC_ROOT", "StaticTable", "StaticVectors", "load_table", "wordpieces"]

STATIC_ROOT = Path(__file__).resolve().parents[2] / "models" / "triage" / "static"
DEFAULT_TABLE = "minilm-256"
VECTORS_FILE = "vectors.npy"
VOCAB_FILE = "vocab.txt"
_MAX_WORD = 100  # BERT's WordPiece: a longer word is one unknown token
_REMEMBERED_CHUNKS = 200_000  # a few tens of MB at most; then forgotten at once


class StaticTable:
    """A distilled table: one vector per WordPiece token (float16 on disk, float32 in memory, for
    a fast sparse product), and each token's row."""

    def __init__(self, vectors: np.ndarray, tokens: list[str], checksum: str) -> None:
        self.vectors = vectors.astype(np.float32)
        self.rows = {token: row for row, token in enumerate(tokens)}
        self.checksum = checksum
        self._chunks: dict[str, list[int]] = {}

    def rows_of(self, text: str) -> list[int]:
        """The table rows of a text's WordPiece tokens, unknown ones left out. Each
        whitespace-separated chunk is tokenized once per process: posts share most of them."""
        if len(self._chunks) > _REMEMBERED_CHUNKS:
            self._chunks.clear()
        found: list[int] = []
        for chunk in text.split():
            rows = self._chunks.get(chunk)
            if rows is None:
                pieces = (piece for word in _basic_words(chunk) for piece in wordpieces(word, self.rows))
                rows = self._chunks[chunk] = [self.rows[piece] for piece in pieces if piece in self.rows]
            found.extend(rows)
        return found

    def mean_vectors(self, texts: Iterable[str]) -> np.ndarray:
        """Each text's mean token vector, unit length (zeros for a text of no known token)."""
        columns: list[int] = []
        row_ends = [0]
        for text in texts:
            columns.extend(self.rows_of(text))
            row_ends.append(len(columns))
        counts = sparse.csr_array(
            (np.ones(len(columns), dtype=np.float32), np.asarray(columns, dtype=np.int32), np.asarray(row_ends, dtype=np.int32)),
            shape=(len(row_ends) - 1, len(self.vectors)),
        )
        sums = np.asarray(counts @ self.vectors, dtype=np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)


def load_table(name: str = DEFAULT_TABLE) -> StaticTable:
    """The table `name` under `STATIC_ROOT`, read once per process."""
    return _load_table(STATIC_ROOT / name)


@functools.cache
def _load_table(folder: Path) -> StaticTable:
    try:
        raw = (folder / VECTORS_FILE).read_bytes()
        tokens = (folder / VOCAB_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        raise UsageError(
            f"static token vectors {folder} are missing; rebuild them with "
            "python models/triage/build_static_vectors.py (needs pip install 'socialcx[embeddings]')"
        ) from None
    vectors = np.load(folder / VECTORS_FILE, allow_pickle=False)
    if vectors.shape[0] != len(tokens):
        raise UsageError(f"{folder}: {vectors.shape[0]} vectors but {len(tokens)} tokens; rebuild the table")
    return StaticTable(vectors, tokens, hashlib.sha256(raw).hexdigest())


class StaticVectors(TransformerMixin, BaseEstimator):
    """Unit-length mean token vectors of posts, scaled by `weight` (their say beside the n-grams).

    `table` names a folder under `models/triage/static/`; `preprocessor`, if given, rewrites each
    text first (as the n-gram blocks' does). Fitting learns nothing from the texts; it records the
    table's checksum, which `transform` checks, so a model is never fed vectors of a table it was
    not trained with.
    """

    def __init__(
        self, *, weight: float = 1.0, table: str = DEFAULT_TABLE, preprocessor: Callable[[str], str] | None = None
    ) -> None:
        self.weight = weight
        self.table = table
        self.preprocessor = preprocessor

    def fit(self, X: Iterable[str], y: Any = None) -> StaticVectors:
        loaded = load_table(self.table)
        self.checksum_ = loaded.checksum
        self.n_features_out_ = loaded.vectors.shape[1]
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self, "checksum_")
        loaded = load_table(self.table)
        if loaded.checksum != self.checksum_:
            raise UsageError(f"the static token vectors '{self.table}' changed since this model was trained; retrain it")
        texts = X if self.preprocessor is None else map(self.preprocessor, X)
        return self.weight * loaded.mean_vectors(texts)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        return np.array([f"static{index}" for index in range(self.n_features_out_)], dtype=object)


def _basic_words(text: str) -> list[str]:
    """BERT's uncased basic tokenization: lower case, accents and control characters dropped,
    split on whitespace, every punctuation mark and CJK character a word of its own."""
    text = unicodedata.normalize("NFD", text.lower())
    words: list[str] = []
    current: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace():
            _flush(current, words)
        elif category == "Mn" or category.startswith("C"):
            continue  # accents, and control and format characters such as the zero-width joiner
        elif _is_punctuation(char, category) or _is_cjk(char):
            _flush(current, words)
            words.append(char)
        else:
            current.append(char)
    _flush(current, words)
    return words


def _flush(current: list[str], words: list[str]) -> None:
    if current:
        words.append("".join(current))
        current.clear()


def _is_punctuation(char: str, category: str) -> bool:
    code = ord(char)
    return 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126 or category.startswith("P")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


def wordpieces(word: str, vocabulary: dict[str, int] | set[str]) -> list[str]:
    """BERT's greedy longest-match-first WordPiece split of one word (continuations prefixed
    `##`); `["[UNK]"]` when some part of it matches nothing, as BERT does."""
    if len(word) > _MAX_WORD:
        return ["[UNK]"]
    pieces: list[str] = []
    start = 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocabulary:
                break
            end -= 1
        else:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces
