"""Agents' corrections of triage, and retraining the default model on them.

A relabel is stored as a `Feedback` row and never changes what the model said (the `triage`
row): wherever a label is shown or counted, the newest correction wins (`current_label`).
`retrain_with_feedback` fits the classifiers agents corrected again on the seed set plus one
row per corrected mention, keeps the others of the model in use unchanged, compares old and
new on a fixed held-out part of the seed set, and only then switches the default model to the
new folder.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcx.errors import UsageError
from socialcx.store import Feedback, Mention, MentionTriage
from socialcx.triage.taxonomy import load_taxonomy

__all__ = [
    "RELABEL_FIELDS", "Comparison", "Quality", "RetrainReport", "corrected_tasks", "current_label", "relabel", "retrain_with_feedback",
    "training_rows",
]

RELABEL_FIELDS = ("intent", "sentiment")
DEV_FRACTION = 0.2
DEV_SEED = 7  # fixed, so every retraining is judged on the same held-out rows


def current_label(field: str, mention_id: Any) -> Any:
    """A SQL expression for a mention's label: the newest agent correction, else the model's."""
    corrected = (
        sa.select(Feedback.new)
        .where(Feedback.mention_id == mention_id, Feedback.field == field)
        .order_by(Feedback.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return sa.func.coalesce(corrected, getattr(MentionTriage, field))


def relabel(
    connection: Connection, mention_id: int, *, agent: str, now: datetime, intent: str | None = None, sentiment: str | None = None
) -> list[Feedback]:
    """Correct a mention's intent and/or sentiment; each change is stored as one feedback row.

    A value the mention already has is not stored again. Raises UsageError for an unknown
    mention or a label outside the taxonomy.
    """
    changes = {field: value for field, value in (("intent", intent), ("sentiment", sentiment)) if value is not None}
    if not changes:
        raise UsageError("say what to relabel: --intent and/or --sentiment")
    taxonomy = load_taxonomy()
    allowed = {"intent": taxonomy.intents, "sentiment": taxonomy.sentiments}
    for field, value in changes.items():
        if value not in allowed[field]:
            raise UsageError(f"{value!r} is not a known {field}; expected one of: {', '.join(allowed[field])}")
    columns = [current_label(field, Mention.id).label(field) for field in changes]
    row = connection.execute(
        sa.select(*columns).select_from(Mention).outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id).where(Mention.id == mention_id)
    ).one_or_none()
    if row is None:
        raise UsageError(f"no mention #{mention_id}")
    stored = [
        Feedback(mention_id=mention_id, field=field, old=getattr(row, field), new=value, agent=agent, at=now)
        for field, value in changes.items()
        if getattr(row, field) != value
    ]
    if stored:
        connection.execute(sa.insert(Feedback), [item.model_dump(exclude={"id"}) for item in stored])
    return stored


def training_rows(connection: Connection) -> list[dict[str, str]]:
    """One training row per corrected mention: its text with the corrected labels, and the
    stored triage for the labels nobody corrected. Mentions never triaged are left out (their
    other labels are unknown)."""
    corrected = sa.select(Feedback.mention_id).distinct().scalar_subquery()
    rows = connection.execute(
        sa.select(
            Mention.text,
            *(current_label(field, Mention.id).label(field) for field in RELABEL_FIELDS),
            MentionTriage.urgency,
        )
        .join(MentionTriage, MentionTriage.mention_id == Mention.id)
        .where(Mention.id.in_(corrected))
        .order_by(Mention.id)
    ).all()
    return [{"text": row.text, "intent": row.intent, "sentiment": row.sentiment, "urgency": row.urgency} for row in rows]


def corrected_tasks(connection: Connection) -> tuple[str, ...]:
    """The labels agents corrected on triaged mentions (those `training_rows` holds): the
    classifiers a retraining fits again."""
    fields = set(
        connection.scalars(
            sa.select(Feedback.field).distinct().join(MentionTriage, MentionTriage.mention_id == Feedback.mention_id)
        )
    )
    return tuple(field for field in RELABEL_FIELDS if field in fields)


@dataclass(frozen=True, slots=True)
class Quality:
    """How well one task's classifier does on the dev split."""

    task: str
    accuracy: float
    macro_f1: float


@dataclass(frozen=True, slots=True)
class Comparison:
    """The retrained classifiers without and with the feedback, scored on the same held-out seed
    rows; the classifiers of `kept` are copied unchanged from the model in use, so not scored.
    `notes` are what the team should know before switching, a sentence each."""

    seed_rows: int
    feedback_rows: int
    dev_rows: int
    old: tuple[Quality, ...]
    new: tuple[Quality, ...]
    kept: tuple[str, ...] = ()
    in_use: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RetrainReport:
    """The comparison, and the folder and version the default model now uses."""

    comparison: Comparison
    folder: Path
    version: str


def retrain_with_feedback(
    engine: Engine,
    *,
    now: datetime,
    seed: Path | None = None,
    root: Path | None = None,
    on_compared: Callable[[Comparison], None] | None = None,
) -> RetrainReport:
    """Retrain the corrected classifiers of the default triage model on the seed set plus the
    agents' corrections, and keep the others of the model in use as they are.

    A classifier nobody corrected is copied from the model in use, since what it learned from
    (e.g. the shipped sentiment's public tweets) may not be at hand; without a complete model in
    use all three are trained. A fixed 20 % of the seed set (stratified by intent) is held out;
    the classifiers to retrain, fitted on the rest without and then with the feedback, are
    scored on it. `on_compared` receives that comparison before the model is touched; then they
    are fitted on the whole seed set plus feedback, written to a new folder under `root` with
    the kept ones, and made the default. The folder in use until then is left as it was, so a
    running process never breaks. `seed` and `root` default to the shipped seed set and the
    default model's folder.
    """
    # Here, not on top: scikit-learn takes seconds to import, and the inbox imports this module.
    from sklearn.model_selection import train_test_split

    from socialcx.triage.triage import (
        DEFAULT_MODEL_ROOT,
        SEED,
        TASKS,
        TriageModel,
        activate,
        active_model_dir,
        complete,
        feedback_folder,
    )

    seed, root = seed or SEED, root or DEFAULT_MODEL_ROOT
    seed_rows = _read_seed(seed)
    with engine.connect() as connection:
        extra = training_rows(connection)
        corrected = corrected_tasks(connection)
    if not extra:
        raise UsageError("no relabelled mentions to learn from; relabel some with `socialcx inbox relabel`")
    in_use = active_model_dir(root)
    retrained = corrected if complete(in_use) else TASKS
    train, dev = train_test_split(
        seed_rows, test_size=DEV_FRACTION, random_state=DEV_SEED, stratify=[row["intent"] for row in seed_rows]
    )
    comparison = Comparison(
        len(seed_rows), len(extra), len(dev), _quality(train, dev, retrained), _quality(train + extra, dev, retrained),
        kept=tuple(task for task in TASKS if task not in retrained), in_use=in_use.name, notes=_notes(in_use, retrained),
    )
    if on_compared is not None:
        on_compared(comparison)
    folder = feedback_folder(root, now)
    model = TriageModel.retrain(
        seed_rows + extra, folder, tasks=retrained, base=in_use, source=f"{seed.name} + {len(extra)} relabelled mentions", now=now
    )
    activate(folder, root)
    return RetrainReport(comparison, folder, model.version)


def _notes(in_use: Path, retrained: Sequence[str]) -> tuple[str, ...]:
    """The sentence saying a retrained sentiment loses the public tweets the one in use learned from."""
    from socialcx.triage.triage import PUBLIC_TWEETS, complete, trained_on

    if "sentiment" not in retrained or not complete(in_use) or PUBLIC_TWEETS not in (learned := trained_on(in_use / "sentiment")):
        return ()
    return (
        f"The sentiment classifier in use ({in_use.name}) learned from {learned}, and those {PUBLIC_TWEETS} are not "
        "available at run time: the retrained one learns from the seed set and the corrections only, and replaces it.",
    )


def _quality(train: Sequence[dict[str, str]], dev: Sequence[dict[str, str]], tasks: Sequence[str]) -> tuple[Quality, ...]:
    from sklearn.metrics import accuracy_score, f1_score

    from socialcx.triage.model import TextClassifier

    # Scoring needs the predictions only, not the calibration: two folds keep it quick.
    texts, dev_texts = [row["text"] for row in train], [row["text"] for row in dev]
    scores = []
    for task in tasks:
        predicted = TextClassifier(cv=2).fit(texts, [row[task] for row in train]).predict(dev_texts)
        truth = [row[task] for row in dev]
        scores.append(Quality(task, float(accuracy_score(truth, predicted)), float(f1_score(truth, predicted, average="macro"))))
    return tuple(scores)


def _read_seed(seed: Path) -> list[dict[str, str]]:
    from socialcx.triage.triage import TASKS

    try:
        with seed.open(encoding="utf-8", newline="") as handle:
            return [{name: row[name] for name in ("text", *TASKS)} for row in csv.DictReader(handle)]
    except (OSError, KeyError) as exc:
        raise UsageError(f"{seed}: cannot read the seed set ({exc})") from None
