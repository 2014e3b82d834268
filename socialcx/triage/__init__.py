"""Triage: what a mention wants, how it feels, how urgent it is, its language and risks, and
whether it is routine enough to answer automatically.

The names below are imported on first use: the model needs scikit-learn, which takes seconds
to import, and the taxonomy or the risk flags alone do not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialcx._exports import lazy_exports

if TYPE_CHECKING:
    from socialcx.triage.model import TextClassifier
    from socialcx.triage.risk import RISK_FLAGS, risk_flags
    from socialcx.triage.triage import Triage, TriageModel, default_model

__all__ = ["RISK_FLAGS", "TextClassifier", "Triage", "TriageModel", "default_model", "risk_flags"]

__getattr__ = lazy_exports(__name__, {
    "TextClassifier": "socialcx.triage.model",
    "RISK_FLAGS": "socialcx.triage.risk",
    "risk_flags": "socialcx.triage.risk",
    "Triage": "socialcx.triage.triage",
    "TriageModel": "socialcx.triage.triage",
    "default_model": "socialcx.triage.triage",
})
