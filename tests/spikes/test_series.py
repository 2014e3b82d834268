"""`socialcx spikes --input FILE.csv`: one JSON line per raised alert, timestamps as the file wrote
them, the interval read from the file, and a one-line error naming file and line for bad input."""

from __future__ import annotations

import io
import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from socialcx.errors import UsageError
from socialcx.spikes import detect_series, read_series, write_spikes

START = datetime(2026, 1, 5)  # a Monday


def hourly_counts(weeks: int, surge_at: int) -> list[float]:
    """Hourly mentions with a daily rhythm and Poisson noise, tripled for 3 hours at `surge_at`."""
    rng = np.random.default_rng(0)
    rates = [
        40 + 360 * math.exp(-((((hour % 24) - 13) / 4) ** 2)) for hour in range(weeks * 7 * 24)
    ]
    return [
        float(rng.poisson(rate * (3 if surge_at <= i < surge_at + 3 else 1)))
        for i, rate in enumerate(rates)
    ]


def write_csv(path: Path, stamps: list[str], values: list[float]) -> Path:
    path.write_text(
        "timestamp,value\n" + "".join(f"{s},{v:g}\n" for s, v in zip(stamps, values)),
        encoding="utf-8",
    )
    return path


SURGE = 20 * 24 + 11  # hour index of the surge: day 20, 11:00


@pytest.mark.parametrize(
    "form",
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S+02:00"],
    ids=["NAB", "ISO with Z", "ISO with offset"],
)
def test_an_hourly_file_gives_one_json_line_per_alert_in_the_files_own_time_format(tmp_path, form):
    values = hourly_counts(weeks=4, surge_at=SURGE)
    stamps = [(START + timedelta(hours=i)).strftime(form) for i in range(len(values))]
    out = io.StringIO()

    assert write_spikes(write_csv(tmp_path / "counts.csv", stamps, values), out) == 1

    [line] = [json.loads(text) for text in out.getvalue().splitlines()]
    assert line["timestamp"] == stamps[SURGE]
    assert line["observed"] == values[SURGE]
    assert line["expected"] == pytest.approx(values[SURGE] / 3, rel=0.3)
    assert line["score"] >= 9


def test_a_series_is_read_with_its_raw_timestamps_and_the_bucket_follows_its_spacing(tmp_path):
    path = write_csv(
        tmp_path / "counts.csv", ["2015-02-26 21:42:53", "2015-02-26 21:47:53"], [3, 4.5]
    )
    stamps, times, values = read_series(path)
    assert stamps == ["2015-02-26 21:42:53", "2015-02-26 21:47:53"]
    assert times == [datetime(2015, 2, 26, 21, 42, 53), datetime(2015, 2, 26, 21, 47, 53)]
    assert values == [3.0, 4.5]


def test_missing_rows_count_as_zero_mentions():
    values = hourly_counts(weeks=4, surge_at=SURGE)
    moments = [START + timedelta(hours=i) for i in range(len(values))]
    values[SURGE - 30 : SURGE - 20] = [0.0] * 10
    kept = [i for i in range(len(values)) if not SURGE - 30 <= i < SURGE - 20]

    with_zeros = detect_series(moments, values)
    with_gap = detect_series([moments[i] for i in kept], [values[i] for i in kept])

    assert [step for _, step in with_gap] == [step for _, step in with_zeros]
    assert [moments[i] for i, _ in with_zeros][-1] == moments[SURGE]


@pytest.mark.parametrize(
    ("content", "line", "hint"),
    [
        (b"", 1, "empty"),
        (b"timestamp,count\n2015-02-26 21:42:53,3\n", 1, "no column 'value'"),
        (b"timestamp,value\n", 1, "no rows"),
        (b"timestamp,value\n2015-02-26 21:42:53,3\n2015-02-26 21:47:53,many\n", 3, "not a count"),
        (b"timestamp,value\n2015-02-26 21:42:53,-1\n", 2, "not a count"),
        (b"timestamp,value\n2015-02-26 21:42:53,3\nyesterday,4\n", 3, "not a date and time"),
        (b"timestamp,value\n2015-02-26 21:42:53,3\n2015-02-26 21:40:00,4\n", 3, "not after"),
        (b"timestamp,value\n2015-02-26 21:42:53,3,7\n", 2, "fields"),
        (b"timestamp,value\n2015-02-26 21:42:53,3\n2015-02-26 21:47:53Z,3\n", 3, "offset"),
        (b"timestamp,value\n2015-02-26 21:42:53,3\n2015-02-26 \xff21:47:53,3\n", 3, "UTF-8"),
    ],
    ids=[
        "empty",
        "no value column",
        "header only",
        "non-numeric",
        "negative",
        "bad timestamp",
        "unsorted",
        "extra field",
        "mixed offsets",
        "not UTF-8",
    ],
)
def test_bad_input_is_a_usage_error_naming_file_and_line(tmp_path, content, line, hint):
    path = tmp_path / "counts.csv"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=hint) as caught:
        write_spikes(path, io.StringIO())
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="cannot be read"):
        write_spikes(tmp_path / "nowhere.csv", io.StringIO())
