"""The resolution benchmark's runner: cases through the sandbox channel, the stand-in shop over
HTTP, the pipeline and a scripted customer; Contract 3 results, the same on a second run."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from socialcx.cli import app
from socialcx.service.resolve_bench import RESULT_FIELDS, run_cases
from socialcx.triage import Triage
from tests.sandbox.shops import shop


class _Triager:
    """A confident billing problem for every post: routing is the engine's business here."""

    version = "stub@1"

    def triage(self, texts):
        return [Triage("billing_problem", 0.9, False, "negative", -0.5, "normal", "en", (), False) for _ in texts]


def _shop():
    state = shop()
    order = state["orders"][0]
    order["items"] = [{"sku": "MUG-01", "qty": 2, "price": 12.0}]
    order["charges"] = [{"id": "ch_1", "amount": 24.0, "at": "2026-11-28T09:00:05Z"}, {"id": "ch_2", "amount": 24.0, "at": "2026-11-28T09:00:09Z"}]
    return state


def _case(case_id: str, author: str, text: str, answers: dict[str, str], channel: str = "x") -> dict:
    return {"id": case_id, "now": "2026-12-03T10:00:00Z", "channel": channel, "post": {"author": author, "text": text},
            "answers": answers, "shop": _shop(), "expect": {"outcome": "ignored by the runner"}}


CASES = [
    _case("linked", "jane_d", "@acme I was charged twice for order A1042, £24.00 each", {}),
    _case("unlinked", "jd_other", "@acme I was charged twice for order A1042", {"order_id": "it's A1042", "email": "JANE@example.com"}),
    _case("silent", "jd_quiet", "@acme I was charged twice for order A1042", {}),
    _case("hn", "jdoe", "Acme charged me twice for order A1042", {}, channel="hackernews"),
]


@pytest.fixture(scope="module")
def results() -> list[list[dict]]:
    return [list(run_cases(CASES, triage=_Triager())) for _ in range(2)]


def test_each_case_ends_as_the_issue_says_with_the_ledger_and_what_was_asked(results) -> None:
    by_id = {result["id"]: result for result in results[0]}
    assert all(tuple(result) == RESULT_FIELDS for result in results[0])
    refund = [{"op": "refund", "order": "A1042", "amount": 24.0, "charge": "ch_2"}]
    assert (by_id["linked"]["outcome"], by_id["linked"]["ledger"], by_id["linked"]["asked"]) == ("resolved", refund, [])
    assert (by_id["unlinked"]["outcome"], by_id["unlinked"]["ledger"], by_id["unlinked"]["asked"]) == ("resolved", refund, ["order_id", "email"])
    assert (by_id["silent"]["outcome"], by_id["silent"]["ledger"], by_id["silent"]["asked"]) == ("awaiting_customer", [], ["order_id", "email"])
    assert (by_id["hn"]["outcome"], by_id["hn"]["ledger"], by_id["hn"]["told"]) == ("handed_over", [], [])


def test_the_customer_is_told_the_amount_in_private_and_the_public_reply_leaks_nothing(results) -> None:
    linked = next(result for result in results[0] if result["id"] == "linked")
    [public] = linked["public"]
    assert linked["told"][0] == public and any("£24.00" in text for text in linked["told"][1:])
    assert not any(leak in public for leak in ("A1042", "24", "£", "@example.com"))


def test_a_second_run_gives_identical_results_and_plans_are_fast(results) -> None:
    first, second = ([{k: v for k, v in r.items() if k != "plan_ms"} for r in run] for run in results)
    assert first == second
    assert all(result["plan_ms"] < 1000 for run in results for result in run)


def test_the_command_refuses_a_line_that_is_not_a_case_naming_it(tmp_path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(CASES[0]) + "\n{not json\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["resolve-bench", str(cases), "--output", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1 and f"{cases}:2 is not JSON" in result.output


def test_runs_repeats_the_cases_writes_the_first_run_and_says_they_are_identical(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("socialcx.triage.default_model", _Triager)
    cases, output = tmp_path / "cases.jsonl", tmp_path / "out.jsonl"
    cases.write_text("".join(json.dumps(case) + "\n" for case in CASES[:2]), encoding="utf-8")
    result = CliRunner().invoke(app, ["resolve-bench", str(cases), "--output", str(output), "--runs", "2"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in output.read_text(encoding="utf-8").splitlines()] == ["linked", "unlinked"]
    assert "The 2 runs gave identical results." in result.output


def test_runs_names_the_cases_a_later_run_ended_differently(tmp_path, monkeypatch) -> None:
    outcomes = iter(["resolved", "resolved", "resolved", "handed_over"])

    def flaky(cases, *, triage):
        for case in cases:
            yield {"id": case["id"], "outcome": next(outcomes), "plan_ms": 1.0}

    monkeypatch.setattr("socialcx.triage.default_model", _Triager)
    monkeypatch.setattr("socialcx.service.resolve_bench.run_cases", flaky)
    cases, output = tmp_path / "cases.jsonl", tmp_path / "out.jsonl"
    cases.write_text("".join(json.dumps(case) + "\n" for case in CASES[:2]), encoding="utf-8")
    result = CliRunner().invoke(app, ["resolve-bench", str(cases), "--output", str(output), "--runs", "2"])
    assert result.exit_code == 0, result.output
    assert "The 2 runs differ on 1 case(s): unlinked." in result.output
