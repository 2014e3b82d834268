"""Triage: what a mention wants, how it feels, how urgent it is, its language and risks, and
whether it is routine enough to answer automatically."""

from __future__ import annotations

from socialcx.triage.model import TextClassifier
from socialcx.triage.risk import RISK_FLAGS, risk_flags
from socialcx.triage.triage import Triage, TriageModel, default_model

__all__ = ["RISK_FLAGS", "TextClassifier", "Triage", "TriageModel", "default_model", "risk_flags"]
