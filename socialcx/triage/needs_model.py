"""The multi-label needs classifier: one-vs-rest logistic regressions over the triage n-gram
features, in scikit-learn's conventions (so `cross_val_predict` and `GridSearchCV` work on it),
and the labelled seed set it learns from, `models/needs/seed.csv`.

One post can raise several needs, so each need is a yes/no question of its own with its own
probability. For speed the fitted regressions are kept as one coefficient matrix, and a post's
scores are computed from its own n-grams alone: a fraction of a millisecond.
"""

from __future__ import annotations

import csv
import warnings
from collections import Counter
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted

from socialcx.triage.model import abstention_threshold, text_features

__all__ = ["SEED", "NeedsClassifier", "load_seed"]

SEED = Path(__file__).resolve().parents[2] / "models" / "needs" / "seed.csv"


class NeedsClassifier(ClassifierMixin, BaseEstimator):
    """Which needs a post raises, each with its own probability.

    Parameters
    ----------
    C : inverse regularisation strength of each logistic regression.
    target_precision : the precision the needs it raises alone must reach: `threshold_` holds,
        per label, the lowest probability at which the out-of-fold predictions on the training
        posts (each scored by a model that never saw it) show it with 95 % confidence
        (`socialcx.triage.model.abstention_threshold`), all labels' predictions pooled,
    label_precision : and each label's own predictions this (1.0+ where they never do: the
        label is then raised by the rules alone).
    cv : folds for those out-of-fold predictions.

    Learned: `classes_` (the need labels), `features_` (the fitted n-gram union), `coef_` and
    `intercept_` (one row per label), `threshold_` (one per label).
    """

    def __init__(self, *, C: float = 4.0, target_precision: float = 0.9, label_precision: float = 0.8, cv: int = 5) -> None:
        self.C = C
        self.target_precision = target_precision
        self.label_precision = label_precision
        self.cv = cv

    def fit(self, X: Iterable[str], y: Iterable[Collection[str]]) -> NeedsClassifier:
        """Fit on texts and, for each, the collection of its needs (empty when it raises none)."""
        texts, label_sets = list(X), [tuple(labels) for labels in y]
        if len(texts) != len(label_sets):
            raise ValueError(f"{len(texts)} texts but {len(label_sets)} label sets")
        if not all(isinstance(text, str) for text in texts):
            raise ValueError("expected an iterable of strings")
        binarizer = MultiLabelBinarizer()
        targets = binarizer.fit_transform(label_sets)
        always = [str(label) for label, column in zip(binarizer.classes_, targets.T) if column.all()]
        if not len(binarizer.classes_) or always:
            raise ValueError(f"every label needs posts without it too; these are on every post: {always or 'none'}")
        if not (0 < self.target_precision <= 1 and 0 < self.label_precision <= 1):
            raise ValueError("target_precision and label_precision must be in (0, 1]")
        folds = KFold(n_splits=max(2, min(self.cv, len(texts))), shuffle=True, random_state=0)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
            warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")
            held_out = cross_val_predict(self._pipeline(), texts, targets, cv=folds, method="predict_proba")
        self.threshold_ = self._thresholds(held_out, targets.astype(bool))
        pipeline = self._pipeline().fit(texts, targets)
        self.features_, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
        self.classes_ = binarizer.classes_
        self.coef_ = np.vstack([estimator.coef_ for estimator in model.estimators_]).astype(np.float32)
        self.intercept_ = np.concatenate([estimator.intercept_ for estimator in model.estimators_])
        return self

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """P(need) for each text (rows) and label (columns, in `classes_` order)."""
        check_is_fitted(self, "coef_")
        blocks = [block for _, block in self.features_.transformer_list]
        analyzers = [block.build_analyzer() for block in blocks]
        scores = [self._scores(text, blocks, analyzers) for text in X]
        return expit(np.array(scores, dtype=np.float64).reshape(-1, len(self.classes_)))

    def _scores(self, text: str, blocks: list[Any], analyzers: list[Any]) -> np.ndarray:
        """The regressions' scores of one text, computed on its few n-grams alone: TF-IDF as the
        fitted blocks weigh it (sublinear counts times idf, unit length per block), each block
        times its columns of `coef_`. Exactly what `features_.transform` and a product give, at
        a fraction of the time scikit-learn's input checks take for one short post."""
        total = self.intercept_.astype(np.float64)
        offset = 0
        for block, analyze in zip(blocks, analyzers):
            column = block.vocabulary_.get
            counts = Counter(index for index in map(column, analyze(text)) if index is not None)
            if counts:
                columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
                weights = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                if block.sublinear_tf:
                    weights = np.log(weights) + 1.0
                weights *= block.idf_[columns]
                total += self.coef_[:, offset + columns] @ (weights / np.linalg.norm(weights))
            offset += len(block.vocabulary_)
        return total

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """A 0/1 indicator matrix: which needs each text raises at `threshold_`."""
        return (self.predict_proba(X) >= self.threshold_).astype(int)

    def _thresholds(self, held_out: np.ndarray, truth: np.ndarray) -> np.ndarray:
        """Per label, the probability its raises need: the pooled predictions of every label must
        show `target_precision`, and the label's own (fewer, so a looser bound) `label_precision`."""
        pooled = abstention_threshold(held_out.ravel(), truth.ravel(), self.target_precision)
        own = [abstention_threshold(held_out[:, j], truth[:, j], self.label_precision) for j in range(truth.shape[1])]
        return np.maximum(pooled, np.array(own))

    def _pipeline(self) -> Pipeline:
        model = OneVsRestClassifier(LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", random_state=0))
        return Pipeline([("features", text_features(static_vectors=False)), ("model", model)])

    def probabilities(self, text: str) -> dict[str, float]:
        """P(need) of one post, by label."""
        return dict(zip(self.classes_, map(float, self.predict_proba([text])[0])))

    def sure(self, text: str) -> list[str]:
        """The needs of one post the model is sure of alone (at their `threshold_`)."""
        return [str(label) for label, raised in zip(self.classes_, self.predict([text])[0]) if raised]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def load_seed(path: Path = SEED) -> tuple[list[str], list[tuple[str, ...]]]:
    """The texts of a labelled needs file (CSV `text,needs`, needs separated by `;`, empty for a
    post that raises none) and their label tuples."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [tuple(filter(None, row["needs"].split(";"))) for row in rows]
