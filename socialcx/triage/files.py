"""Reading the labelled and unlabelled files `socialcx train` and `classify` take: CSV or JSON
Lines, by extension, with clear errors for what people actually hand over."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from socialcx.errors import UsageError

__all__ = ["read_table"]


def read_table(path: Path, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows of a `.csv` or `.jsonl` file, each with every one of `columns` present."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise UsageError(f"{path}: expected a .csv or .jsonl file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror})") from None
    rows = _csv(text) if suffix == ".csv" else _jsonl(path, text)
    if not rows:
        raise UsageError(f"{path}: no rows")
    missing = [column for column in columns if column not in rows[0]]
    if missing:
        found = ", ".join(map(str, rows[0])) or "none"
        raise UsageError(f"{path}: no column {', '.join(missing)}; the columns are: {found}")
    for number, row in enumerate(rows, start=2 if suffix == ".csv" else 1):
        for column in columns:
            if not isinstance(row.get(column), str):
                raise UsageError(f"{path}: row {number}: {column} is missing or not text")
    return rows


def _csv(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(text.splitlines()))


def _jsonl(path: Path, text: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}: line {number} is not JSON ({exc.msg})") from None
        except RecursionError:
            raise UsageError(f"{path}: line {number} is nested too deeply to read; flatten it to one object of columns") from None
        if not isinstance(row, dict):
            raise UsageError(f"{path}: line {number} is not a JSON object")
        rows.append(row)
    return rows
