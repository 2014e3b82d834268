"""`socialcx resolve-bench`: run resolution cases through the real path (`socialcx.service.resolve_bench`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from socialcx.cli.app import console
from socialcx.errors import UsageError


def resolve_bench(
    cases: Annotated[Path, typer.Argument(help="A JSONL file of resolution cases (bench/cases/*.jsonl), one case a line.")],
    output: Annotated[Path, typer.Option("--output", help="Where to write the results, one JSON line per case.")],
    runs: Annotated[int, typer.Option("--runs", min=1, help="Run the cases this many times (pass^k); the first run's results are written.")] = 1,
) -> None:
    """Run each case through the sandbox, the stand-in shop, the responder, the outboxes and a scripted customer.
    With `--runs N` the cases run N times and the command says whether every run gave the same results."""
    from socialcx.service.resolve_bench import run_cases

    loaded = _cases(cases)
    with console.status("Loading the triage model…"):
        from socialcx.triage import default_model

        model = default_model()
    first: list[dict[str, Any]] = []
    with output.open("w", encoding="utf-8") as out:
        for result in run_cases(loaded, triage=model):
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            first.append(_comparable(result))
    console.print(f"{len(first)} case(s) run; results in {output}.")
    if runs > 1:
        differ = _differing(first, [[_comparable(result) for result in run_cases(loaded, triage=model)] for _ in range(runs - 1)])
        if differ:
            console.print(f"The {runs} runs differ on {len(differ)} case(s): {', '.join(differ)}.")
        else:
            console.print(f"The {runs} runs gave identical results.")


def _comparable(result: dict[str, Any]) -> dict[str, Any]:
    """A result without its timing, which differs from run to run."""
    return {key: value for key, value in result.items() if key != "plan_ms"}


def _differing(first: list[dict[str, Any]], others: list[list[dict[str, Any]]]) -> list[str]:
    """The ids of the cases whose result in some later run is not the first run's."""
    return [result["id"] for index, result in enumerate(first) if any(run[index] != result for run in others)]


def _cases(path: Path) -> list[dict[str, Any]]:
    """The cases of a JSONL file; a line that is not a case object is refused, naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read {path} ({exc.strerror or exc}); give a JSONL file of cases") from None
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number} is not JSON ({exc.msg}); fix that line") from None
        missing = [key for key in ("id", "now", "channel", "post", "shop") if not isinstance(case, dict) or key not in case]
        if missing:
            raise UsageError(f"{path}:{number} is not a case: it lacks {', '.join(missing)}")
        cases.append(case)
    return cases
