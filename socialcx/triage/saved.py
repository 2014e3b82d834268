"""Saving and loading trained classifiers, safely.

A model folder holds `model.skops` (skops' format: loading it runs no code from the file, and
only the types listed in `_TRUSTED` may appear in it, so a tampered file is refused rather than
executed), `metadata.json` (what it was trained on and how well it did in cross-validation)
and `MODEL_CARD.md`. A model trained with sentence embeddings stores only that choice, never
the encoder: torch and the MiniLM weights come from the installed `embeddings` extra at load.
One with static token vectors stores the table's name and checksum; the table is read from
`models/triage/static/`.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import sklearn
import skops.io as sio

from socialcx.errors import UsageError
from socialcx.triage.model import TextClassifier

__all__ = ["METADATA_FILE", "ModelMetadata", "load_classifier", "save_classifier"]

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
CARD_FILE = "MODEL_CARD.md"

# Our own types, and the scikit-learn, NumPy and SciPy internals skops does not trust by default.
_TRUSTED = {
    "socialcx.triage.embeddings.SentenceEmbeddings",
    "socialcx.triage.model.TextClassifier",
    "socialcx.triage.model.prepare_text",
    "socialcx.triage.static_vectors.StaticVectors",
}


@dataclass(frozen=True, slots=True)
class ModelMetadata:
    """What a saved classifier is and how well it did in cross-validation on its training data."""

    source: str
    text_column: str
    label_column: str
    rows: int
    classes: list[str]
    target_precision: float
    embeddings: bool
    static_vectors: bool
    threshold: float
    cv_accuracy: float
    cv_macro_f1: float
    cv_precision: float
    cv_coverage: float
    precision_coverage: list[dict[str, float]]
    trained_at: str
    sklearn_version: str

    @classmethod
    def describe(
        cls, model: TextClassifier, *, source: str, text_column: str, label_column: str, rows: int, trained_at: datetime
    ) -> ModelMetadata:
        return cls(
            source=source,
            text_column=text_column,
            label_column=label_column,
            rows=rows,
            classes=[str(label) for label in model.classes_],
            target_precision=model.target_precision,
            embeddings=model.embeddings,
            static_vectors=model.static_vectors,
            threshold=model.threshold_,
            cv_accuracy=model.cv_accuracy_,
            cv_macro_f1=model.cv_macro_f1_,
            cv_precision=model.cv_precision_,
            cv_coverage=model.cv_coverage_,
            precision_coverage=[
                {"threshold": round(float(t), 4), "coverage": round(float(c), 4), "precision": round(float(p), 4)}
                for t, c, p in model.curve_
            ],
            trained_at=trained_at.isoformat(),
            sklearn_version=sklearn.__version__,
        )

    def summary(self) -> str:
        """What `socialcx train` reports: the cross-validated quality, the abstention threshold,
        and the precision/coverage curve of the out-of-fold predictions it was chosen from."""
        curve = "\n".join(
            f"  {point['threshold']:>9.3f}  {point['coverage']:>8.1%}  {point['precision']:>9.3f}"
            + ("  <- chosen" if point["threshold"] == round(self.threshold, 4) else "")
            for point in self.precision_coverage
        )
        abstention = (
            f"Abstains below a confidence of {self.threshold:.3f}: precision {self.cv_precision:.3f} on the "
            f"{self.cv_coverage:.1%} of rows it keeps (target {self.target_precision:.2f}, shown with 95 % confidence)."
            if self.cv_coverage
            else f"Abstains below a confidence of {self.threshold:.3f}, that is always: no threshold showed a precision "
            f"of {self.target_precision:.2f} out of fold; label more rows or lower --target-precision."
        )
        return (
            f"{len(self.classes)} classes, {self.rows:,} rows. Cross-validated: accuracy {self.cv_accuracy:.3f}, "
            f"macro-F1 {self.cv_macro_f1:.3f}.\n{abstention}\n"
            f"Out-of-fold precision / coverage if it acted only above a threshold:\n"
            f"  threshold  coverage  precision\n{curve}"
        )

    def card(self) -> str:
        """A model card for a team-trained classifier, from its metadata."""
        sentences = " and MiniLM sentence vectors (needs `socialcx[embeddings]`)" if self.embeddings else ""
        if self.static_vectors:
            sentences = ", static token vectors distilled from MiniLM (`models/triage/static/`)" + sentences
        return f"""# Model card: {self.label_column} classifier

Trained by `socialcx train` on {self.rows:,} rows of `{self.source}` (text column
`{self.text_column}`, label column `{self.label_column}`), {self.trained_at}, scikit-learn
{self.sklearn_version}.

- Classes ({len(self.classes)}): {", ".join(self.classes)}
- Model: word 1-2 and character 2-5 n-grams (TF-IDF){sentences}, linear SVM,
  temperature-scaled softmax.
- Cross-validated on the training data: accuracy {self.cv_accuracy:.3f}, macro-F1 {self.cv_macro_f1:.3f}.
- Abstention: below a confidence of {self.threshold:.3f} the prediction is withheld ("uncertain
  means human"). Chosen by cross-validation for a precision of {self.target_precision:.2f} on what
  is kept; it kept {self.cv_coverage:.1%} of rows at a precision of {self.cv_precision:.3f}.
  The precision/coverage curve it was chosen from is in `metadata.json`.
- Known limits: cross-validation on the training data overstates quality when rows repeat or
  come from templates; check on posts the model has never seen before trusting it with `auto`.
"""


def save_classifier(model: TextClassifier, metadata: ModelMetadata, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(model, folder / MODEL_FILE, compression=zipfile.ZIP_DEFLATED)  # about a third of the size
    (folder / METADATA_FILE).write_text(json.dumps(asdict(metadata), indent=2) + "\n", encoding="utf-8")
    (folder / CARD_FILE).write_text(metadata.card(), encoding="utf-8")


def load_classifier(folder: Path) -> TextClassifier:
    """A saved classifier; refuses files holding types outside our trusted list."""
    path = folder / MODEL_FILE
    if not path.is_file():
        raise UsageError(f"{folder}: no {MODEL_FILE} here; train one with `socialcx train --out {folder}`")
    listed = set(sio.get_untrusted_types(file=path))  # reads the whole file: once, not per question
    untrusted = listed - _TRUSTED - _sklearn_internals(listed)
    if untrusted:
        raise UsageError(f"{path}: refusing to load types socialcx does not trust: {', '.join(sorted(untrusted))}")
    model = sio.load(path, trusted=sorted(listed))
    if not isinstance(model, TextClassifier):
        raise UsageError(f"{path}: not a socialcx classifier")
    return model


def _sklearn_internals(names: set[str]) -> set[str]:
    """Those of `names` from scikit-learn, NumPy and SciPy themselves, which skops lists conservatively."""
    return {name for name in names if name.split(".")[0] in {"sklearn", "numpy", "scipy", "builtins"}}
