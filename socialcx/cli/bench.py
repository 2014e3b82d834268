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
) -> None:
    """Run each case through the sandbox, the stand-in shop, the responder, the outboxes and a scripted customer."""
    from socialcx.service.resolve_bench import run_cases

    loaded = _cases(cases)
    with console.status("Loading the triage model…"):
        from socialcx.triage import default_model

        model = default_model()
    written = 0
    with output.open("w", encoding="utf-8") as out:
        for result in run_cases(loaded, triage=model):
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            written += 1
    console.print(f"{written} case(s) run; results in {output}.")


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
