"""Spikes: when a series of mention counts surges beyond what is normal for that hour and weekday."""

from __future__ import annotations

from socialcx.spikes.detector import DetectorParams, SpikeDetector, Step
from socialcx.spikes.series import detect_series, read_series, write_spikes

__all__ = [
    "DetectorParams",
    "SpikeDetector",
    "Step",
    "detect_series",
    "read_series",
    "write_spikes",
]
