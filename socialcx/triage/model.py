"""The triage estimators, in scikit-learn's conventions so `cross_validate`, `GridSearchCV` and
`CalibratedClassifierCV` work on them unchanged.

`TextClassifier` is the one classifier behind intent, sentiment and urgency: word and character
n-grams of the normalized text beside its mean static token vector (`StaticVectors`, distilled once
from MiniLM, NumPy only at run time), a linear SVM, probabilities from its scores by a softmax whose
temperature is fitted to out-of-fold scores (temperature scaling: one parameter, so it cannot
overfit, and it keeps the ranking), and an abstention threshold chosen at training time from
the same out-of-fold predictions (each scored by a model that never saw its row): the lowest
confidence at which the kept predictions reach `target_precision` with 95 % confidence. The
precision/coverage curve of those predictions is kept with the model. Uncertain means human.

With `embeddings=True` the n-grams are joined by MiniLM sentence vectors (`SentenceEmbeddings`,
from the optional `embeddings` extra): three points more accuracy on Banking77, at about a
sixtieth of the speed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.stats import beta
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from socialcx.triage.embeddings import SentenceEmbeddings
from socialcx.triage.ngrams import transform_block
from socialcx.triage.static_vectors import StaticVectors

__all__ = ["TextClassifier", "abstention_threshold", "precision_coverage", "prepare_text", "text_features"]

# The sentence vectors' say beside the n-grams (unit vectors scaled by this), tuned on the Banking77
# dev split (accuracy 0.912 at 0.5, 0.923 at 1, 0.926 at 2, 0.925 at 3); airline and complaints
# move by under a point between 1 and 3.
EMBEDDING_WEIGHT = 2.0
# The same for the static token vectors (Banking77 dev accuracy 0.907 at 1, 0.910 at 2, 0.907 at 3).
STATIC_WEIGHT = 2.0

_URL = re.compile(r"https?://\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_NUMBER = re.compile(r"\d+")


def prepare_text(text: str) -> str:
    """Lower-cased text with links, handles and digits replaced by placeholders: which brand,
    which order number and which link say nothing about what a post wants."""
    text = _URL.sub(" _url_ ", text)
    text = _HANDLE.sub(" _user_ ", text)
    return _NUMBER.sub("0", text.lower())


def text_features(embeddings: bool = False, static_vectors: bool = True) -> FeatureUnion:
    """Word 1-2-grams and character 2-5-grams within words of `prepare_text`, TF-IDF weighted, with
    the static token vectors (`static_vectors`) and MiniLM sentence vectors (`embeddings`): the
    features every triage classifier reads."""
    blocks = [
        (
            "words",
            TfidfVectorizer(
                preprocessor=prepare_text, ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32
            ),
        ),
        (
            "chars",
            TfidfVectorizer(
                preprocessor=prepare_text,
                analyzer="char_wb",
                ngram_range=(2, 5),
                min_df=2,
                sublinear_tf=True,
                dtype=np.float32,  # a quarter faster to compute than float64
            ),
        ),
    ]
    if static_vectors:
        blocks.append(("tokens", StaticVectors(weight=STATIC_WEIGHT, preprocessor=prepare_text)))
    if embeddings:
        blocks.append(("sentences", SentenceEmbeddings(weight=EMBEDDING_WEIGHT)))
    return FeatureUnion(blocks)


class TextClassifier(ClassifierMixin, BaseEstimator):
    """Classifies short posts, with calibrated confidence and an abstention threshold.

    Parameters
    ----------
    C : inverse regularisation strength of the linear SVM.
    target_precision : the precision the non-abstained predictions must reach; the out-of-fold
        predictions must show it with 95 % confidence (`abstention_threshold`).
    cv : cross-validation folds for the temperature and the threshold.
    class_weight : passed to the SVM ("balanced" or None).
    embeddings : add MiniLM sentence vectors to the n-grams (needs `pip install
        'socialcx[embeddings]'`; more accurate, far slower). The saved model keeps only this flag
        and re-creates the encoder when it first classifies.
    static_vectors : add the mean static token vector (`models/triage/static/`) to the
        n-grams: more accurate on the dev sets at a few times the n-grams' cost; False for
        n-grams alone.

    Learned: `classes_`, `pipeline_`, `temperature_`, `threshold_`, and the cross-validated
    `cv_accuracy_`, `cv_macro_f1_`, the `cv_precision_` and `cv_coverage_` of the
    non-abstained predictions, and `curve_`: rows of (threshold, coverage, precision) of the
    out-of-fold predictions (`precision_coverage`).
    """

    def __init__(
        self,
        *,
        C: float = 0.5,
        target_precision: float = 0.99,
        cv: int = 5,
        class_weight: str | None = "balanced",
        embeddings: bool = False,
        static_vectors: bool = True,
    ) -> None:
        self.C = C
        self.target_precision = target_precision
        self.cv = cv
        self.class_weight = class_weight
        self.embeddings = embeddings
        self.static_vectors = static_vectors

    def fit(self, X: Iterable[str], y: Iterable[str], groups: Iterable[Any] | None = None) -> TextClassifier:
        """Fit on texts and labels. `groups` (optional, one per text) keeps texts of a group in
        the same fold, so near-copies (rows made from one hand-written phrasing) cannot vouch for
        each other and the threshold is not set on flattering out-of-fold figures."""
        texts, labels = _texts(X), np.asarray(list(y), dtype=object)
        groups = None if groups is None else list(groups)
        if len(texts) != len(labels) or (groups is not None and len(groups) != len(texts)):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels" + (f" and {len(groups)} groups" if groups else ""))
        classes, counts = np.unique(labels, return_counts=True)
        if len(classes) < 2:
            raise ValueError("the labels have a single class; a classifier needs at least two")
        if counts.min() < 2:
            lonely = ", ".join(map(str, classes[counts < 2][:5]))
            raise ValueError(f"every label needs at least two examples to cross-validate; these have one: {lonely}")
        if not 0 < self.target_precision <= 1:
            raise ValueError("target_precision must be in (0, 1]")
        folds = max(2, min(self.cv, int(counts.min())))
        splitter = (StratifiedKFold if groups is None else StratifiedGroupKFold)(n_splits=folds, shuffle=True, random_state=0)
        pipeline = self._pipeline()
        scores = _as_matrix(
            cross_val_predict(pipeline, texts, labels, groups=groups, cv=splitter, method="decision_function")
        )
        truth = np.searchsorted(classes, labels)
        self.temperature_ = _fit_temperature(scores, truth)
        probabilities = _softmax(scores / self.temperature_)
        predicted, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)
        correct = predicted == truth
        self.threshold_ = abstention_threshold(confidence, correct, self.target_precision)
        self.curve_ = precision_coverage(confidence, correct, self.threshold_)
        kept = confidence >= self.threshold_
        self.cv_accuracy_ = float(np.mean(correct))
        self.cv_macro_f1_ = float(f1_score(truth, predicted, average="macro"))
        self.cv_coverage_ = float(np.mean(kept))
        self.cv_precision_ = float(np.mean(correct[kept])) if kept.any() else 1.0
        self.pipeline_ = pipeline.fit(texts, labels)
        for _, block in self.pipeline_.named_steps["features"].transformer_list:
            if hasattr(block, "stop_words_"):
                del block.stop_words_  # every n-gram min_df cut: most of a saved model's size, never read
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        return self.proba_from_features(self.features(X))

    def features(self, X: Iterable[str]) -> Any:
        """The features of texts, which classifiers trained on the same texts share: what the
        `FeatureUnion` gives, with its TF-IDF blocks counted by `transform_block` (faster)."""
        check_is_fitted(self, "pipeline_")
        texts = _texts(X)
        union = self.pipeline_.named_steps["features"]
        blocks = [transform_block(block, texts) for _, block in union.transformer_list]
        dense = [block for block in blocks if not sparse.issparse(block)]
        joined = sparse.hstack([block for block in blocks if sparse.issparse(block)]).tocsr()
        return _with_dense_columns(joined, np.hstack(dense)) if dense else joined

    def proba_from_features(self, features: Any) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        svm = self.pipeline_.named_steps["model"]
        # `decision_function`'s arithmetic without its input checks (most of the time for one post).
        scores = np.asarray(features @ svm.coef_.T) + svm.intercept_
        return _softmax(_as_matrix(scores[:, 0] if scores.shape[1] == 1 else scores) / self.temperature_)

    def shares_features_with(self, other: TextClassifier) -> bool:
        """Whether both turn text into the very same features (trained on the same texts)."""
        mine, theirs = (model.pipeline_.named_steps["features"].transformer_list for model in (self, other))
        return len(mine) == len(theirs) and all(_same_block(a, b) for (_, a), (_, b) in zip(mine, theirs))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        probabilities = self.predict_proba(X)
        return self.classes_[probabilities.argmax(axis=1)]

    def predict_with_confidence(self, X: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Labels, their calibrated confidence, and whether to abstain (confidence below threshold)."""
        probabilities = self.predict_proba(X)
        confidence = probabilities.max(axis=1)
        return self.classes_[probabilities.argmax(axis=1)], confidence, confidence < self.threshold_

    def _pipeline(self) -> Pipeline:
        return Pipeline(
            [("features", text_features(self.embeddings, self.static_vectors)), ("model", LinearSVC(C=self.C, class_weight=self.class_weight))]
        )


def _with_dense_columns(joined: Any, dense: np.ndarray) -> Any:
    """`joined` (CSR) with the columns of `dense` after its own: what `sparse.hstack` makes of the
    two (dense blocks last, as `text_features` puts them; zeros not stored), without its slow general
    path."""
    rows, width = dense.shape
    per_row = np.diff(joined.indptr)
    indptr = joined.indptr + width * np.arange(rows + 1)
    sparse_at = np.arange(joined.nnz) + width * np.repeat(np.arange(rows), per_row)
    dense_at = ((indptr[1:] - width)[:, None] + np.arange(width)).ravel()
    data = np.empty(joined.nnz + dense.size, dtype=np.result_type(joined.dtype, dense.dtype))
    indices = np.empty(len(data), dtype=joined.indices.dtype)
    data[sparse_at], indices[sparse_at] = joined.data, joined.indices
    data[dense_at], indices[dense_at] = dense.ravel(), np.tile(joined.shape[1] + np.arange(width), rows)
    combined = type(joined)((data, indices, indptr), shape=(rows, joined.shape[1] + width))
    combined.eliminate_zeros()
    return combined


def _same_block(a: Any, b: Any) -> bool:
    if isinstance(a, TfidfVectorizer) and isinstance(b, TfidfVectorizer):
        return a.vocabulary_ == b.vocabulary_ and np.array_equal(a.idf_, b.idf_)
    return type(a) is type(b) and a.get_params() == b.get_params()


def abstention_threshold(
    confidence: np.ndarray, correct: np.ndarray, target_precision: float, *, evidence: float = 0.95
) -> float:
    """The lowest confidence threshold at which the held-out predictions kept (confidence at or
    above it) show a precision of at least `target_precision` with `evidence` confidence (the
    one-sided Clopper-Pearson lower bound reaches it), so a short lucky run of sure predictions
    cannot set it; 1.0+ (abstain always) if none does."""
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(correct[order])
    kept = np.arange(1, len(order) + 1)
    lower = np.where(hits > 0, beta.ppf(1 - evidence, np.maximum(hits, 1), kept - hits + 1), 0.0)
    # Walk down the confidence ranking; every prefix whose bound holds is a candidate, but a
    # threshold must not split tied confidences, so only the last of a tie can end a prefix.
    ends = np.r_[confidence[order][1:] != confidence[order][:-1], True]
    good = np.flatnonzero((lower >= target_precision) & ends)
    if len(good) == 0:
        return float(np.nextafter(1.0, 2.0))
    return float(confidence[order][good[-1]])


def precision_coverage(confidence: np.ndarray, correct: np.ndarray, threshold: float) -> np.ndarray:
    """Rows of (threshold, coverage, precision): what acting only above each threshold keeps and
    how often it is right, at coverages 100 %, 95 % ... 5 % and at `threshold`, most covered
    first. The curve a team reads to choose its own trade."""
    ranked = np.sort(confidence)[::-1]
    cuts = {float(ranked[max(0, int(np.ceil(share * len(ranked))) - 1)]) for share in np.linspace(1.0, 0.05, 20)}
    rows = []
    for cut in sorted(cuts | {threshold}):
        kept = confidence >= cut
        rows.append((cut, float(kept.mean()), float(correct[kept].mean()) if kept.any() else 1.0))
    return np.array(rows, dtype=np.float64)


def _as_matrix(scores: np.ndarray) -> np.ndarray:
    """Two-class SVM scores come as one column (for the second class); make them two."""
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that makes out-of-fold scores most likely (minimum log loss)."""

    def log_loss(log_temperature: float) -> float:
        probabilities = _softmax(scores / np.exp(log_temperature))
        return float(-np.mean(np.log(probabilities[np.arange(len(truth)), truth] + 1e-12)))

    return float(np.exp(minimize_scalar(log_loss, bounds=(-5, 3), method="bounded").x))


def _texts(X: Iterable[str]) -> list[str]:
    texts = list(X)
    if not all(isinstance(text, str) for text in texts):
        raise ValueError("expected an iterable of strings")
    return texts
