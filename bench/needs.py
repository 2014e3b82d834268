"""Understanding posts measured on a dev set written apart from the seed set the classifier and the
cue rules were built on: `models/needs/dev.jsonl` (one post a line with its `now`, its needs and
the entities it names, against the catalogue `models/needs/catalogue.csv`).

Figures: per need, precision, recall and support; the share of posts whose set of needs is exactly
right (and in the right order); per entity field, the share of posts where it is exactly right, of
those that name it the share found, and of those that do not the share where something was found
anyway; and the time `understand` takes per post, by the wall clock and in CPU time (on a shared
machine the wall clock also counts the time other processes had the core). `--labels` adds the needs of further posts
labelled by hand (CSV `tweet_id,needs`, needs separated by `;`) read from a TWCS-style JSONL file
(`--posts`, rows with `tweet_id` and `text`), which stay outside the repository.

    python bench/needs.py
    python bench/needs.py --labels /tmp/twcs_needs.csv --posts ../shared/data/twcs_sample/sample.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from socialcx.triage.needs import NEEDS, CatalogueItem, Understanding, default_needs_model, understand

MODELS = Path(__file__).resolve().parents[1] / "models" / "needs"
FIELDS = ("order_ids", "amounts", "deadline", "skus", "quantity", "emails", "address", "legal_threat")
_EMPTY: dict[str, Any] = {"order_ids": (), "amounts": (), "deadline": None, "skus": (), "quantity": None, "emails": (), "address": None, "legal_threat": False}


def load_catalogue(path: Path) -> list[CatalogueItem]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [CatalogueItem(row["sku"], row["name"]) for row in csv.DictReader(handle)]


def expected(row: dict[str, Any]) -> dict[str, Any]:
    """A dev row's expected entities in `Understanding`'s types (absent fields are empty)."""
    values = dict(_EMPTY)
    for field in FIELDS:
        if field not in row:
            continue
        value = row[field]
        if field == "amounts":
            value = tuple((Decimal(amount), currency) for amount, currency in value)
        elif field == "deadline":
            value = date.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[field] = value
    return values


def need_scores(pairs: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
    """Print per-need precision/recall and the exact-set figures of (truth, found) pairs."""
    print(f"{'need':<16}{'precision':>10}{'recall':>8}{'support':>9}{'found':>7}")
    for need in NEEDS:
        truth = sum(need in t for t, _ in pairs)
        found = sum(need in f for _, f in pairs)
        hits = sum(need in t and need in f for t, f in pairs)
        precision = f"{hits / found:.2f}" if found else "-"
        recall = f"{hits / truth:.2f}" if truth else "-"
        print(f"{need:<16}{precision:>10}{recall:>8}{truth:>9}{found:>7}")
    action = [n for n in NEEDS if n != "question"]
    found = sum(n in f for _, f in pairs for n in action)
    hits = sum(n in t and n in f for t, f in pairs for n in action)
    truth = sum(n in t for t, _ in pairs for n in action)
    print(f"{'all but question':<16}{hits / max(found, 1):>10.2f}{hits / max(truth, 1):>8.2f}{truth:>9}{found:>7}")
    exact = sum(set(t) == set(f) for t, f in pairs)
    ordered = sum(t == f for t, f in pairs)
    print(f"exact set of needs: {exact}/{len(pairs)} = {exact / len(pairs):.1%} (in the post's order: {ordered / len(pairs):.1%})")


def entity_scores(rows: list[tuple[dict[str, Any], Understanding]]) -> None:
    print(f"\n{'entity':<14}{'exact':>8}{'named: found':>16}{'not named: found':>19}")
    for field in FIELDS:
        right = sum(getattr(found, field) == truth[field] for truth, found in rows)
        named = [(truth, found) for truth, found in rows if truth[field] != _EMPTY[field]]
        unnamed = [(truth, found) for truth, found in rows if truth[field] == _EMPTY[field]]
        got = sum(getattr(found, field) == truth[field] for truth, found in named)
        extra = sum(getattr(found, field) != _EMPTY[field] for _, found in unnamed)
        print(f"{field:<14}{right / len(rows):>8.1%}{f'{got}/{len(named)}':>16}{f'{extra}/{len(unnamed)}':>19}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=MODELS / "dev.jsonl")
    parser.add_argument("--catalogue", type=Path, default=MODELS / "catalogue.csv")
    parser.add_argument("--labels", type=Path, help="hand labels of further posts: CSV tweet_id,needs")
    parser.add_argument("--posts", type=Path, help="JSONL with tweet_id and text for --labels")
    parser.add_argument("--errors", action="store_true", help="print every post whose needs or entities are wrong")
    args = parser.parse_args()
    catalogue = load_catalogue(args.catalogue)
    rows = [json.loads(line) for line in args.dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    default_needs_model()  # fitted once per process, before the clock starts
    results, times, cpu_times = [], [], []
    for row in rows:
        started, cpu_started = time.perf_counter(), time.process_time()
        found = understand(row["text"], datetime.fromisoformat(row["now"]), catalogue)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
        results.append((row, found))
    print(f"dev set {args.dev.name}: {len(rows)} posts\n")
    need_scores([(tuple(row["needs"]), found.needs) for row, found in results])
    entity_scores([(expected(row), found) for row, found in results])
    for name, spent in (("wall clock", sorted(times)), ("CPU", sorted(cpu_times))):
        print(f"\nunderstand, {name}: mean {statistics.fmean(spent):.2f} ms, p95 {spent[int(0.95 * len(spent))]:.2f} ms per post", end="")
    print()
    if args.errors:
        for row, found in results:
            wrong = [f for f in FIELDS if getattr(found, f) != expected(row)[f]]
            if tuple(row["needs"]) != found.needs or wrong:
                print(f"- {row['text']}\n    needs {row['needs']} -> {list(found.needs)}" + "".join(
                    f"\n    {f}: {expected(row)[f]} -> {getattr(found, f)}" for f in wrong))
    if args.labels and args.posts:
        texts = {}
        for line in args.posts.read_text(encoding="utf-8").splitlines():
            post = json.loads(line)
            texts[str(post["tweet_id"])] = post["text"]
        with args.labels.open(encoding="utf-8", newline="") as handle:
            labelled = [(texts[row["tweet_id"]], tuple(filter(None, row["needs"].split(";")))) for row in csv.DictReader(handle)]
        now = datetime.fromisoformat(rows[0]["now"])
        pairs = [(needs, understand(text, now, catalogue).needs) for text, needs in labelled]
        print(f"\nhand-labelled posts {args.labels.name}: {len(pairs)}\n")
        need_scores(pairs)
        if args.errors:
            for (text, _), (truth, found) in zip(labelled, pairs):
                if set(truth) != set(found):
                    print(f"- {text}\n    needs {list(truth)} -> {list(found)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
