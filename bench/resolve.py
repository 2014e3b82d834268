"""The resolution benchmark (issue 21): runs `socialcx resolve-bench` on the cases twice and scores
every run the way the issue defines it.

A case passes when its outcome matches, the shop's ledger equals the expected one as a multiset
(op, order, sku, qty, shipping, amount to the penny; other fields ignored) and every `must_tell`
string appears in some message told to the customer. A ledger entry not expected is **harmful**
(a refund of the wrong amount is one); an order id, email, address or amount of the case in a
public reply is a **leak** (amounts written with a currency sign or code, or with decimals, so a
"24 hours" is not one). pass^2 is the share of cases that pass on both runs; "identical" counts
the cases whose results (outcome, ledger, messages, questions) are the same on both. The plan
time is each result's `plan_ms` (from the customer's last message to the plan), over both runs.

Cases are JSON lines (`bench/cases/*.jsonl` by default); a case's theme is its file's name. With
`--results` the given RESULTS files are scored instead of running the command (one per run).

    nice python bench/resolve.py [CASES.jsonl|DIR ...] [--runs 2] [--results R1.jsonl R2.jsonl] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).resolve().with_name("cases")
_CENT = Decimal("0.01")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A number as messages write money: a currency sign or code before or after, or decimals.
_MONEY = re.compile(
    r"(?P<before>[£$€]\s?|\b(?:GBP|EUR|USD)\s?)?"
    r"(?<![\d.,])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d{2}(?!\d))?)"
    r"(?P<after>\s?(?:GBP|EUR|USD)\b|\s?€)?"
)

Case = Mapping[str, Any]
Result = Mapping[str, Any]
LedgerKey = tuple[str | None, str | None, str | None, int | None, str | None, Decimal | None]


@dataclass(frozen=True, slots=True)
class Score:
    """One case's result against its expectation: what was missing, harmful or leaked."""

    id: str
    outcome: str | None
    expected_outcome: str
    missing: tuple[LedgerKey, ...]
    harmful: tuple[LedgerKey, ...]
    untold: tuple[str, ...]
    leaks: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """The issue's pass rule: outcome, ledger as a multiset, every must_tell told."""
        return self.outcome == self.expected_outcome and not self.missing and not self.harmful and not self.untold


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of a benchmark over one or more runs of the same cases."""

    cases: int
    passed: int
    pass_all_runs: int
    identical: int
    harmful: int
    leaks: int
    p95_plan_ms: float | None
    themes: dict[str, tuple[int, int, int, int]]  # theme: cases, passed (run 1), harmful, leaks
    failures: tuple[Score, ...]


def ledger_key(entry: Mapping[str, Any]) -> LedgerKey:
    """The fields a ledger entry is compared on; the amount to the penny, the rest as written."""
    qty = entry.get("qty")
    return (
        entry.get("op"),
        entry.get("order"),
        entry.get("sku"),
        int(qty) if qty is not None else None,
        entry.get("shipping"),
        _cents(entry.get("amount")),
    )


def _cents(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(_CENT)
    except InvalidOperation:
        return None


def score(case: Case, result: Result | None) -> Score:
    """Score one result (None: the runner gave none for the case, which fails it)."""
    expect = case["expect"]
    result = result or {}
    expected = Counter(ledger_key(entry) for entry in expect.get("ledger", []))
    done = Counter(ledger_key(entry) for entry in result.get("ledger", []))
    told = [str(message) for message in result.get("told", [])]
    return Score(
        id=case["id"],
        outcome=result.get("outcome"),
        expected_outcome=expect["outcome"],
        missing=tuple((expected - done).elements()),
        harmful=tuple((done - expected).elements()),
        untold=tuple(text for text in expect.get("must_tell", []) if not any(text in message for message in told)),
        leaks=leaks(case, [str(message) for message in result.get("public", [])]),
    )


def leaks(case: Case, public: Sequence[str]) -> tuple[str, ...]:
    """What of the case's private facts appears in the public replies: its order ids, emails (not
    as part of an @-mention: a Mastodon handle looks like one), delivery addresses (whole, or a
    street line) and amounts."""
    found: list[str] = []
    ids, emails, addresses, amounts = _secrets(case)
    for text in public:
        lowered = text.lower()
        found += [i for i in ids if re.search(rf"(?<![a-z0-9]){re.escape(i.lower())}(?![a-z0-9])", lowered)]
        found += [e for e in emails if re.search(rf"(?<![\w.+@-]){re.escape(e.lower())}(?![\w-])", lowered)]
        found += [a for a in addresses if a.lower() in lowered]
        found += [m.group(0).strip() for m in _MONEY.finditer(text) if _money(m) in amounts]
    return tuple(found)


def _money(match: re.Match[str]) -> Decimal | None:
    """The amount a number in a message stands for, when it is written as money."""
    number = match.group("number")
    decimals = re.search(r"[.,]\d{2}$", number) is not None and not re.fullmatch(r"\d{1,3}(?:,\d{3})+", number)
    if not (match.group("before") or match.group("after") or decimals):
        return None
    if decimals:
        number = number[:-3].replace(",", "") + "." + number[-2:]
    return _cents(number.replace(",", ""))


def _secrets(case: Case) -> tuple[set[str], set[str], set[str], set[Decimal]]:
    """The case's order ids, emails (the shop's, and any the customer wrote), addresses and amounts
    (every nonzero amount of its orders: charges, refunds, item prices and line totals, shipping
    fees; and the expected refunds)."""
    shop = case.get("shop", {})
    orders = shop.get("orders", [])
    given = " ".join([case.get("post", {}).get("text", ""), *map(str, case.get("answers", {}).values())])
    ids = {order["id"] for order in orders}
    emails = {customer["email"] for customer in shop.get("customers", [])} | set(_EMAIL.findall(given))
    addresses = {order["address"] for order in orders}
    if case.get("answers", {}).get("address"):
        addresses.add(case["answers"]["address"])
    addresses |= {part.strip() for address in list(addresses) for part in address.split(",") if _street(part)}
    amounts: set[Decimal | None] = {_cents(entry.get("amount")) for entry in case["expect"].get("ledger", [])}
    for order in orders:
        amounts.add(_cents(order.get("shipping_fee")))
        amounts |= {_cents(charge["amount"]) for charge in order.get("charges", [])}
        amounts |= {_cents(refund["amount"]) for refund in order.get("refunds", [])}
        amounts |= {_cents(item["price"]) for item in order.get("items", [])}
        amounts |= {_cents(Decimal(str(item["price"])) * item["qty"]) for item in order.get("items", [])}
    return ids, emails, addresses, {amount for amount in amounts if amount}


def _street(part: str) -> bool:
    """A part of an address specific enough to leak it: a street line with its number."""
    return len(part.strip()) >= 6 and any(ch.isdigit() for ch in part)


def summarise(cases: Sequence[Case], runs: Sequence[Mapping[str, Result]], themes: Mapping[str, str]) -> Summary:
    """The benchmark's figures over every run (results by case id); themes map case id to theme."""
    scores = [[score(case, run.get(case["id"])) for case in cases] for run in runs]
    first = scores[0]
    table: dict[str, list[int]] = {}
    for one in first:
        row = table.setdefault(themes.get(one.id, "cases"), [0, 0, 0, 0])
        row[0] += 1
        row[1] += one.passed
        row[2] += len(one.harmful)
        row[3] += len(one.leaks)
    plan_ms = [float(r["plan_ms"]) for run in runs for r in run.values() if r.get("plan_ms") is not None]
    return Summary(
        cases=len(cases),
        passed=sum(one.passed for one in first),
        pass_all_runs=sum(all(run[i].passed for run in scores) for i in range(len(cases))),
        identical=sum(len({_comparable(run.get(case["id"])) for run in runs}) == 1 for case in cases),
        harmful=sum(len(one.harmful) for run in scores for one in run),
        leaks=sum(len(one.leaks) for run in scores for one in run),
        p95_plan_ms=percentile(plan_ms, 95),
        themes={theme: (row[0], row[1], row[2], row[3]) for theme, row in sorted(table.items())},
        failures=tuple(one for one in first if not one.passed or one.leaks),
    )


def _comparable(result: Result | None) -> str:
    """A result without its timing, to compare runs."""
    if result is None:
        return "none"
    return json.dumps(
        {
            "outcome": result.get("outcome"),
            "ledger": sorted(map(str, map(ledger_key, result.get("ledger", [])))),
            "told": result.get("told", []),
            "public": result.get("public", []),
            "asked": result.get("asked", []),
        },
        sort_keys=True,
    )


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The nearest-rank percentile, None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def load_cases(paths: Iterable[Path]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every case of the given files (or the `*.jsonl` in given folders), and each case's theme
    (its file's name); a duplicate id or a line that is not a case stops with where it is."""
    cases: list[dict[str, Any]] = []
    themes: dict[str, str] = {}
    for path in paths:
        for file in sorted(path.glob("*.jsonl")) if path.is_dir() else [path]:
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                case = json.loads(line)
                if not isinstance(case, dict) or "id" not in case or "expect" not in case:
                    raise SystemExit(f"{file}:{number}: not a case (needs at least id and expect); fix that line")
                if case["id"] in themes:
                    raise SystemExit(f"{file}:{number}: case id {case['id']!r} is used twice; give each case its own")
                themes[case["id"]] = file.stem
                cases.append(case)
    return cases, themes


def load_results(path: Path) -> dict[str, dict[str, Any]]:
    """A RESULTS.jsonl by case id."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {result["id"]: result for result in map(json.loads, filter(str.strip, lines))}


def run(cases: Sequence[Case], folder: Path, number: int) -> dict[str, dict[str, Any]]:
    """One run of `socialcx resolve-bench` over the cases, its results by case id."""
    given = folder / "cases.jsonl"
    given.write_text("".join(json.dumps(case) + "\n" for case in cases), encoding="utf-8")
    output = folder / f"results-{number}.jsonl"
    command = [sys.executable, "-c", "from socialcx.cli import main; main()", "resolve-bench", str(given)]
    done = subprocess.run([*command, "--output", str(output)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(
            f"socialcx resolve-bench failed ({done.returncode}): {done.stderr.strip()[-2000:]}; "
            "fix that, or score existing results with --results"
        )
    return load_results(output)


def report(summary: Summary, runs: int) -> str:
    """The figures as printed."""
    share = 100 * summary.passed / summary.cases if summary.cases else 0.0
    both = 100 * summary.pass_all_runs / summary.cases if summary.cases else 0.0
    p95 = "n/a" if summary.p95_plan_ms is None else f"{summary.p95_plan_ms:.1f} ms"
    figures = [
        ("cases", f"{summary.cases}"),
        ("pass (run 1)", f"{summary.passed}  {share:.1f} %"),
        (f"pass^{runs}", f"{summary.pass_all_runs}  {both:.1f} %"),
        ("identical runs", f"{summary.identical} of {summary.cases}"),
        ("harmful entries", f"{summary.harmful}  (all runs)"),
        ("leaks", f"{summary.leaks}  (all runs)"),
        ("p95 plan_ms", p95),
    ]
    lines = [
        *(f"{name:<19}{value}" for name, value in figures),
        "",
        f"{'theme':<18}{'cases':>6}{'pass':>6}{'pass %':>8}{'harmful':>9}{'leaks':>7}",
    ]
    for theme, (count, passed, harmful, leaked) in summary.themes.items():
        lines.append(f"{theme:<18}{count:>6}{passed:>6}{100 * passed / count:>8.1f}{harmful:>9}{leaked:>7}")
    if summary.failures:
        lines += ["", "failures (run 1):"]
        lines += [f"  {_failure(one)}" for one in summary.failures]
    return "\n".join(lines)


def _failure(one: Score) -> str:
    """One failed or leaking case on one line: what differs from the expectation."""
    parts = [one.id]
    if one.outcome != one.expected_outcome:
        parts.append(f"outcome {one.outcome} (expected {one.expected_outcome})")
    parts += [f"missing {_entry(key)}" for key in one.missing]
    parts += [f"HARMFUL {_entry(key)}" for key in one.harmful]
    parts += [f"untold {text!r}" for text in one.untold]
    parts += [f"LEAK {text!r}" for text in one.leaks]
    return "; ".join(parts)


def _entry(key: LedgerKey) -> str:
    """A ledger entry's compared fields as `name=value`, the empty ones left out."""
    names = ("op", "order", "sku", "qty", "shipping", "amount")
    return " ".join(f"{name}={value}" for name, value in zip(names, key, strict=True) if value is not None)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command on the cases (or read `--results`) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", type=Path, default=[CASES_DIR], help="case files or folders")
    parser.add_argument("--runs", type=int, default=2, help="runs of the command (default 2)")
    parser.add_argument("--results", nargs="+", type=Path, help="score these RESULTS files instead of running")
    parser.add_argument("--keep", type=Path, help="write the cases and results here instead of a temporary folder")
    args = parser.parse_args(argv)
    cases, themes = load_cases(args.cases)
    if args.results:
        runs = [load_results(path) for path in args.results]
    else:
        with tempfile.TemporaryDirectory() as temporary:
            folder = args.keep or Path(temporary)
            folder.mkdir(parents=True, exist_ok=True)
            runs = [run(cases, folder, number) for number in range(1, args.runs + 1)]
    print(report(summarise(cases, runs, themes), len(runs)))


if __name__ == "__main__":
    main()
