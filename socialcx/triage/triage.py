"""Triage of mentions: intent (with abstention), sentiment, urgency, language, risk flags, and
whether a mention is routine — true only when its intent is routine in the taxonomy, the intent
was not abstained, and no risk flag is raised. Uncertain means human.

The shipped default model is `models/triage/default/v5/`, built by `models/triage/build_default.py`:
intent and urgency from `models/triage/seed.csv`, sentiment from the seed set plus public labelled
tweets. Where it is missing it is trained from the seed set alone on first use (sentiment then
knows only the seed's language). A team can train its own classifiers on its own history.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from socialcx.errors import UsageError
from socialcx.triage.language import DEFAULT_LANGUAGES, detect_languages
from socialcx.triage.model import TextClassifier
from socialcx.triage.risk import risk_flags
from socialcx.triage.saved import METADATA_FILE, ModelMetadata, load_classifier, save_classifier
from socialcx.triage.taxonomy import DEFAULT_TAXONOMY, Taxonomy, load_taxonomy

__all__ = [
    "DEFAULT_MODEL_DIR", "DEFAULT_MODEL_ROOT", "PUBLIC_TWEETS", "SEED", "Triage", "TriageModel", "activate", "active_model_dir",
    "complete", "default_model", "feedback_folder", "trained_on",
]

SEED = DEFAULT_TAXONOMY.parent / "seed.csv"
# Bump the version when the features or the classifier change, so the shipped model retrains.
MODEL_VERSION = 5
DEFAULT_MODEL_ROOT = DEFAULT_TAXONOMY.parent / "default"
DEFAULT_MODEL_DIR = DEFAULT_MODEL_ROOT / f"v{MODEL_VERSION}"
ACTIVE_FILE = "ACTIVE"  # in the root: the folder of the model in use, when retrained with feedback
TASKS = ("intent", "sentiment", "urgency")
PUBLIC_TWEETS = "public labelled tweets"  # how a classifier's metadata names training data not shipped with socialcx

# A risk raises urgency to at least this level, whatever the model says.
_RISK_URGENCY = {"safety": "critical", "legal_threat": "critical", "self_harm": "critical", "harassment": "high", "personal_data": "high"}
_URGENCY_ORDER = ("low", "normal", "high", "critical")


@dataclass(frozen=True, slots=True)
class Triage:
    """Everything triage says about one mention."""

    intent: str
    confidence: float
    abstained: bool
    sentiment: str
    sentiment_score: float  # P(positive) - P(negative), in [-1, 1]
    urgency: str
    language: str | None
    risks: tuple[str, ...]
    routine: bool


class TriageModel:
    """The intent, sentiment and urgency classifiers with the taxonomy, risk flags and language."""

    def __init__(
        self,
        intent: TextClassifier,
        sentiment: TextClassifier,
        urgency: TextClassifier,
        taxonomy: Taxonomy,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        *,
        version: str = "unsaved",
    ) -> None:
        self.intent = intent
        self.sentiment = sentiment
        self.urgency = urgency
        self.taxonomy = taxonomy
        self.languages = tuple(languages)
        self.version = version  # stored with every triage, so a re-run can tell old results from new
        # Classifiers trained on the same texts read the same features: compute them once per set.
        self._feature_sets = _feature_sets((intent, sentiment, urgency))

    def triage(self, texts: Sequence[str]) -> list[Triage]:
        """Triage of each text, in order."""
        if not texts:
            return []
        intent_p, sentiment_p, urgency_p = self._probabilities(texts)
        intents, confidence = self.intent.classes_[intent_p.argmax(axis=1)], intent_p.max(axis=1)
        abstain = confidence < self.intent.threshold_
        sentiments = self.sentiment.classes_[sentiment_p.argmax(axis=1)]
        score = _column(sentiment_p, self.sentiment.classes_, "positive") - _column(sentiment_p, self.sentiment.classes_, "negative")
        urgencies = self.urgency.classes_[urgency_p.argmax(axis=1)]
        languages = detect_languages(texts, self.languages)
        results = []
        for index, text in enumerate(texts):
            risks = risk_flags(text)
            intent, abstained = str(intents[index]), bool(abstain[index])
            results.append(
                Triage(
                    intent=intent,
                    confidence=round(float(confidence[index]), 4),
                    abstained=abstained,
                    sentiment=str(sentiments[index]),
                    sentiment_score=round(float(score[index]), 4),
                    urgency=_escalated(str(urgencies[index]), risks),
                    language=languages[index],
                    risks=risks,
                    routine=self.taxonomy.routine(intent) and not abstained and not risks,
                )
            )
        return results

    def _probabilities(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The intent, sentiment and urgency probabilities of texts, features computed once per set."""
        models = (self.intent, self.sentiment, self.urgency)
        found: list[np.ndarray] = [np.empty(0)] * len(models)
        for members in self._feature_sets:
            features = models[members[0]].features(texts)
            for index in members:
                found[index] = models[index].proba_from_features(features)
        return found

    @classmethod
    def train(cls, seed: Path = SEED, folder: Path = DEFAULT_MODEL_DIR, *, target_precision: float = 0.99) -> TriageModel:
        """Train the three classifiers on a seed CSV (`text,intent,sentiment,urgency`) and save them."""
        with seed.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return cls.train_rows(rows, folder, source=seed.name, now=datetime.now(UTC), target_precision=target_precision)

    @classmethod
    def train_rows(
        cls,
        rows: Sequence[dict[str, str]],
        folder: Path,
        *,
        source: str,
        now: datetime,
        target_precision: float = 0.99,
        sentiment_rows: Sequence[tuple[str, str]] = (),
    ) -> TriageModel:
        """Train the three classifiers on rows with `text,intent,sentiment,urgency` and save them;
        sentiment learns from `sentiment_rows` (text, sentiment) too."""
        models = {task: _fit(rows, task, folder, source=source, now=now, target_precision=target_precision,
                             extra=sentiment_rows if task == "sentiment" else ()) for task in TASKS}
        return cls(models["intent"], models["sentiment"], models["urgency"], load_taxonomy(), version=_stamp(folder, now))

    @classmethod
    def retrain(
        cls, rows: Sequence[dict[str, str]], folder: Path, *, tasks: Collection[str], base: Path, source: str, now: datetime
    ) -> TriageModel:
        """Train the classifiers of `tasks` on `rows` and copy the others unchanged from the model in
        `base`, their metadata naming it (`kept_from`): what they learned from may not be at hand."""
        models = {
            task: _fit(rows, task, folder, source=source, now=now) if task in tasks else _keep(base, folder, task)
            for task in TASKS
        }
        return cls(models["intent"], models["sentiment"], models["urgency"], load_taxonomy(), version=_stamp(folder, now))

    @classmethod
    def load(cls, folder: Path = DEFAULT_MODEL_DIR) -> TriageModel:
        intent, sentiment, urgency = (load_classifier(folder / task) for task in TASKS)
        # The newest of the three: a retraining that kept some classifiers is dated when it trained the others.
        trained_at = max(_trained_at(folder / task) for task in TASKS)
        return cls(intent, sentiment, urgency, load_taxonomy(), version=_stamp(folder, trained_at))

    def with_intent(self, folder: Path) -> TriageModel:
        """This model with the intent classifier a team trained (`socialcx train --out FOLDER`);
        sentiment, urgency, language and risks stay as they are."""
        return TriageModel(
            load_classifier(folder), self.sentiment, self.urgency, self.taxonomy, self.languages,
            version=_stamp(folder, _trained_at(folder)),
        )


_default: TriageModel | None = None
_default_lock = threading.Lock()


def default_model() -> TriageModel:
    """The shipped model: loaded from `models/triage/default/`, trained from the seed set first
    if it is not there yet (about half a minute, once)."""
    global _default
    with _default_lock:
        if _default is None:
            folder = active_model_dir()
            _default = TriageModel.load(folder) if complete(folder) else TriageModel.train()
        return _default


def active_model_dir(root: Path = DEFAULT_MODEL_ROOT) -> Path:
    """The folder of the default model: the one `activate` named last, if it is complete and
    of this model version, else the one trained from the seed set."""
    try:
        named = root / (root / ACTIVE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        named = None
    if named is not None and named.name.startswith(f"v{MODEL_VERSION}-") and complete(named):
        return named
    return root / f"v{MODEL_VERSION}"


def feedback_folder(root: Path, now: datetime) -> Path:
    """A new folder for a default model retrained with feedback, e.g. `v3-feedback-20261125T091500Z`."""
    return root / f"v{MODEL_VERSION}-feedback-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def activate(folder: Path, root: Path = DEFAULT_MODEL_ROOT) -> None:
    """Make the model in `folder` (under `root`) the default. The pointer file is replaced in one
    step, so a process starting meanwhile loads the old model or the new one, never a mix."""
    pointer = root / ACTIVE_FILE
    staged = pointer.with_suffix(".tmp")
    staged.write_text(folder.name + "\n", encoding="utf-8")
    os.replace(staged, pointer)
    global _default
    with _default_lock:
        _default = None  # this process loads the new one on next use


def _feature_sets(models: Sequence[TextClassifier]) -> list[list[int]]:
    """The indices of `models` grouped by the features they read (the first of each group computes them)."""
    sets: list[list[int]] = []
    for index, model in enumerate(models):
        same = next((members for members in sets if models[members[0]].shares_features_with(model)), None)
        if same is None:
            sets.append([index])
        else:
            same.append(index)
    return sets


def complete(folder: Path) -> bool:
    """Whether `folder` holds all three classifiers of a triage model."""
    return all((folder / task / "model.skops").is_file() for task in TASKS)


def trained_on(folder: Path) -> str:
    """What the classifier saved in `folder` learned from, as its metadata says (e.g. `seed.csv + 3 relabelled mentions`)."""
    return str(_metadata(folder).get("source", ""))


def _fit(
    rows: Sequence[dict[str, str]], task: str, folder: Path, *, source: str, now: datetime,
    target_precision: float = 0.99, extra: Sequence[tuple[str, str]] = (),
) -> TextClassifier:
    """The classifier of `task` trained on `rows` plus `extra` (text, label), saved in `folder / task`."""
    model = TextClassifier(target_precision=target_precision).fit(
        [row["text"] for row in rows] + [text for text, _ in extra], [row[task] for row in rows] + [label for _, label in extra]
    )
    described = f"{source} + {len(extra):,} {PUBLIC_TWEETS}" if extra else source
    metadata = ModelMetadata.describe(model, source=described, text_column="text", label_column=task, rows=len(rows) + len(extra), trained_at=now)
    save_classifier(model, metadata, folder / task)
    return model


def _keep(base: Path, folder: Path, task: str) -> TextClassifier:
    """The classifier of `task` copied unchanged from the model in `base` into `folder`, its metadata saying so."""
    shutil.copytree(base / task, folder / task, dirs_exist_ok=True)
    metadata = _metadata(folder / task) | {"kept_from": base.name}
    (folder / task / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return load_classifier(folder / task)


def _stamp(folder: Path, trained_at: datetime) -> str:
    """A model's version: its folder and when it was trained, e.g. `v3@20261125T091500Z`."""
    return f"{folder.name}@{trained_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"[:64]


def _trained_at(folder: Path) -> datetime:
    try:
        return datetime.fromisoformat(str(_metadata(folder)["trained_at"]))
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"{folder}: {METADATA_FILE} is missing or unreadable; train the model again") from None


def _metadata(folder: Path) -> dict[str, object]:
    try:
        found = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UsageError(f"{folder}: {METADATA_FILE} is missing or unreadable; train the model again") from None
    if not isinstance(found, dict):
        raise UsageError(f"{folder}: {METADATA_FILE} is unreadable; train the model again")
    return found


def _column(probabilities: np.ndarray, classes: np.ndarray, name: str) -> np.ndarray:
    where = np.flatnonzero(classes == name)
    return probabilities[:, where[0]] if len(where) else np.zeros(len(probabilities))


def _escalated(urgency: str, risks: tuple[str, ...]) -> str:
    levels = [urgency, *(_RISK_URGENCY[risk] for risk in risks)]
    return max(levels, key=lambda level: _URGENCY_ORDER.index(level) if level in _URGENCY_ORDER else 0)
