"""Spikes in a `timestamp,value` CSV file: the `socialcx spikes --input FILE.csv` command.

The file holds one count per regular interval (NAB's `2015-02-26 21:42:53` or ISO 8601 with
`T`, `Z` or an offset). The interval is the median spacing of the rows, and the detector's
hour-of-week slots come from the timestamps themselves, so a file of hourly counts works as
well as one of 5-minute counts. Every problem with the file is a `UsageError` naming the file
and line.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import statistics
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TextIO

from socialcx.errors import UsageError
from socialcx.spikes.detector import DetectorParams, SpikeDetector, Step

__all__ = ["detect_series", "read_series", "write_spikes"]

_COLUMNS = ("timestamp", "value")
_DEFAULTS = DetectorParams()


def read_series(path: Path) -> tuple[list[str], list[datetime], list[float]]:
    """The raw timestamp strings, parsed times and values of a `timestamp,value` CSV file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(
            f"{path}: cannot be read ({error.strerror}); give an existing CSV file"
        ) from None
    lines = []
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            lines.append(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError:
            raise UsageError(
                f"{path}:{number}: is not UTF-8 text; save the file as UTF-8"
            ) from None
    rows = [(number, row) for number, row in enumerate(csv.reader(lines), 1) if row]
    if not rows:
        raise UsageError(
            f"{path}:1: the file is empty; it needs a header `timestamp,value` and rows"
        )
    header = [name.strip().lower() for name in rows[0][1]]
    missing = [name for name in _COLUMNS if name not in header]
    if missing:
        raise UsageError(
            f"{path}:{rows[0][0]}: no column {missing[0]!r}; the header must name `timestamp,value`"
        )
    if len(rows) == 1:
        raise UsageError(f"{path}:{rows[0][0]}: the file has a header but no rows of counts")
    at, value = header.index("timestamp"), header.index("value")
    stamps: list[str] = []
    times: list[datetime] = []
    values: list[float] = []
    for number, row in rows[1:]:
        if len(row) != len(header):
            raise UsageError(
                f"{path}:{number}: has {len(row)} fields, the header has {len(header)}"
            )
        stamp = row[at].strip()
        moment = _parse_time(stamp, f"{path}:{number}")
        if times and (moment.tzinfo is None) != (times[0].tzinfo is None):
            raise UsageError(
                f"{path}:{number}: mixes timestamps with and without a UTC offset; use one form"
            )
        if times and moment <= times[-1]:
            raise UsageError(
                f"{path}:{number}: timestamp {stamp!r} is not after the previous row; sort the file"
            )
        stamps.append(stamp)
        times.append(moment)
        values.append(_parse_count(row[value].strip(), f"{path}:{number}"))
    return stamps, times, values


def detect_series(
    times: list[datetime], values: list[float], params: DetectorParams = _DEFAULTS
) -> list[tuple[int, Step]]:
    """Run the detector over a whole series; the index and step of each bucket that raised an alert.

    The bucket length is the series' median spacing, whatever `params.bucket` says.
    """
    if len(times) > 1:
        params = replace(
            params, bucket=statistics.median(b - a for a, b in itertools.pairwise(times))
        )
    detector = SpikeDetector(params)
    raised = []
    for index, (moment, value) in enumerate(zip(times, values)):
        step = detector.update(moment, value)
        if step.event == "raised":
            raised.append((index, step))
    return raised


def write_spikes(path: Path, out: TextIO, params: DetectorParams = _DEFAULTS) -> int:
    """Write one JSON line per alert raised in the CSV file at `path`; return how many there were.

    Each line has the bucket's `timestamp` as written in the file, the `observed` and `expected`
    counts and the `score` (-log10 of the tail probability).
    """
    stamps, times, values = read_series(path)
    raised = detect_series(times, values, params)
    for index, step in raised:
        line = {
            "timestamp": stamps[index],
            "observed": step.observed,
            "expected": round(step.expected, 3),
            "score": round(step.score, 2),
        }
        out.write(json.dumps(line) + "\n")
    return len(raised)


def _parse_time(text: str, where: str) -> datetime:
    """A timestamp as NAB writes it or in ISO 8601 (`T`, `Z`, offsets)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{where}: timestamp {text!r} is not a date and time; write e.g. 2015-02-26 21:42:53 "
            "or 2015-02-26T21:42:53Z"
        ) from None


def _parse_count(text: str, where: str) -> float:
    """A non-negative finite count."""
    try:
        count = float(text)
    except ValueError:
        count = math.nan
    if not math.isfinite(count) or count < 0:
        raise UsageError(f"{where}: value {text!r} is not a count; write a non-negative number")
    return count
