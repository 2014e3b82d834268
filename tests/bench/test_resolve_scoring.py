"""The resolution benchmark's scorer: the issue's pass rule (outcome, ledger as a multiset to the
penny, every must_tell told), harmful ledger entries, leaks in public replies, and the figures
over two runs."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from bench.resolve import CASES_DIR, load_cases, main, score, summarise
from socialcx.channels import Channel, valid_handle
from socialcx.sandbox.shop import shop_state

MIN_CASES = 150
ANSWER_FIELDS = {"order_id", "email", "item", "quantity", "deadline", "address"}
OUTCOMES = {"resolved", "needs_approval", "awaiting_customer", "handed_over"}
LEDGER_FIELDS = {
    "refund": {"op", "order", "amount", "charge"},
    "replace": {"op", "order", "sku", "qty", "shipping"},
    "cancel": {"op", "order"},
    "change_address": {"op", "order", "address"},
    "password_reset": {"op", "customer"},
}

CASE = {
    "id": "double-charge-damaged-1",
    "now": "2026-12-03T10:00:00Z",
    "channel": "x",
    "post": {"author": "jane_d", "text": "@acme charged twice AND the mug arrived smashed. Need a new one by Sunday"},
    "answers": {"order_id": "it's A1042", "email": "jane@example.com"},
    "shop": {
        "currency": "GBP",
        "shipping": {"standard_days": 3, "express_days": 1, "express_fee": 6.0, "dispatch_weekends": False},
        "customers": [{"id": "C1", "name": "Jane Doe", "email": "jane@example.com", "handles": {"x": "jane_d"}}],
        "products": [{"sku": "MUG-01", "name": "Stoneware mug", "price": 12.0, "stock": 4}],
        "orders": [
            {
                "id": "A1042", "customer": "C1", "placed_at": "2026-11-28T09:00:00Z", "status": "delivered",
                "items": [{"sku": "MUG-01", "qty": 2, "price": 12.0}], "shipping_fee": 0.0,
                "charges": [
                    {"id": "ch_1", "amount": 24.0, "at": "2026-11-28T09:00:05Z"},
                    {"id": "ch_2", "amount": 24.0, "at": "2026-11-28T09:00:09Z"},
                ],
                "shipment": {"carrier": "DPD", "tracking": "DP123", "eta": "2026-12-01",
                             "delivered_at": "2026-12-01T12:00:00Z"},
                "address": "1 High St, Leeds",
            }
        ],
    },
    "expect": {
        "outcome": "resolved",
        "ledger": [
            {"op": "refund", "order": "A1042", "amount": 24.0},
            {"op": "replace", "order": "A1042", "sku": "MUG-01", "qty": 1, "shipping": "express"},
        ],
        "must_tell": ["24.00", "Friday"],
    },
}
RESULT = {
    "id": "double-charge-damaged-1",
    "outcome": "resolved",
    "ledger": [
        {"op": "replace", "order": "A1042", "sku": "MUG-01", "qty": 1, "shipping": "express", "id": "rp_1"},
        {"op": "refund", "order": "A1042", "amount": 24, "charge": "ch_2"},
    ],
    "told": [
        "Sorry about that! We've sent you a private message.",
        "We refunded £24.00 (the second charge) and a new mug arrives Friday 4 December by express.",
    ],
    "public": ["Sorry about that! We've sent you a private message."],
    "asked": [],
    "plan_ms": 3.5,
}


def result(**changes):
    changed = copy.deepcopy(RESULT)
    changed.update(changes)
    return changed


def test_a_result_doing_and_telling_what_is_expected_passes_in_any_ledger_order():
    one = score(CASE, RESULT)

    assert one.passed
    assert (one.missing, one.harmful, one.untold, one.leaks) == ((), (), (), ())


def test_a_refund_a_penny_off_fails_and_is_harmful():
    ledger = copy.deepcopy(RESULT["ledger"])
    ledger[1]["amount"] = 24.01

    one = score(CASE, result(ledger=ledger))

    assert not one.passed
    assert [key[0] for key in one.missing] == ["refund"]
    assert [(key[0], str(key[5])) for key in one.harmful] == [("refund", "24.01")]


def test_an_extra_ledger_entry_is_harmful_and_fails_the_case():
    ledger = [*RESULT["ledger"], {"op": "refund", "order": "A1042", "amount": 24.0, "charge": "ch_1"}]

    one = score(CASE, result(ledger=ledger))

    assert not one.passed
    assert one.missing == ()
    assert [(key[0], key[1], str(key[5])) for key in one.harmful] == [("refund", "A1042", "24.00")]


def test_the_same_entry_expected_once_and_done_twice_is_one_harmful_entry():
    ledger = [*RESULT["ledger"], RESULT["ledger"][0]]

    assert len(score(CASE, result(ledger=ledger)).harmful) == 1


def test_an_order_id_email_address_or_amount_in_a_public_reply_is_a_leak():
    public = [
        "Sorry! Is this about order a1042?",
        "We'll write to jane@example.com",
        "It went to 1 High St yesterday.",
        "We refunded £24 already, and 12.00 more.",
    ]

    one = score(CASE, result(public=public))

    assert one.leaks == ("A1042", "jane@example.com", "1 High St", "£24", "12.00")
    assert one.passed  # the issue's pass rule counts leaks apart


def test_dates_hours_and_counts_in_a_public_reply_are_not_amounts():
    public = ["Within 24 hours: it arrives Friday 4 December, 2 of 12 items, ticket A10420."]

    assert score(CASE, result(public=public)).leaks == ()


def test_a_mastodon_handle_shaped_like_an_email_is_a_mention_not_a_leak():
    case = copy.deepcopy(CASE)
    case["answers"]["email"] = "jane@fosstodon.org"

    one = score(case, result(public=["Hi @jane@fosstodon.org, we've sent you a private message."]))

    assert one.leaks == ()
    assert score(case, result(public=["We'll write to jane@fosstodon.org."])).leaks == ("jane@fosstodon.org",)


def test_a_must_tell_missing_from_every_message_fails_the_case():
    told = ["We refunded £24.00 and a new mug is on its way by express."]

    one = score(CASE, result(told=told))

    assert not one.passed
    assert one.untold == ("Friday",)


def test_a_wrong_outcome_or_no_result_fails_the_case():
    assert not score(CASE, result(outcome="needs_approval")).passed
    missing = score(CASE, None)
    assert not missing.passed
    assert len(missing.missing) == 2


def test_two_runs_give_pass_k_identical_runs_harmful_leaks_and_p95(tmp_path: Path):
    other = {**copy.deepcopy(CASE), "id": "other-1"}
    cases_file = tmp_path / "damaged.jsonl"
    cases_file.write_text(json.dumps(CASE) + "\n\n" + json.dumps(other) + "\n")
    cases, themes = load_cases([tmp_path])
    second_wrong = result(id="other-1", outcome="handed_over", ledger=[], plan_ms=40.0)
    runs = [
        {CASE["id"]: RESULT, "other-1": result(id="other-1", plan_ms=9.0)},
        {CASE["id"]: result(plan_ms=20.0, public=["refund of 24.00 done"]), "other-1": second_wrong},
    ]

    summary = summarise(cases, runs, themes)

    assert (summary.cases, summary.passed, summary.pass_all_runs) == (2, 2, 1)
    assert summary.identical == 0  # the first case's public reply differs, the second's outcome
    assert (summary.harmful, summary.leaks) == (0, 1)
    assert summary.p95_plan_ms == 40.0
    assert summary.themes == {"damaged": (2, 2, 0, 0)}


def test_the_command_line_scores_given_results_files(tmp_path: Path, capsys):
    cases_file = tmp_path / "combos.jsonl"
    cases_file.write_text(json.dumps(CASE) + "\n")
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps(result(ledger=RESULT["ledger"][:1])) + "\n")

    main([str(cases_file), "--results", str(results), str(results)])

    printed = capsys.readouterr().out
    assert "pass (run 1)       0  0.0 %" in printed
    assert "missing op=refund order=A1042 amount=24.00" in printed


def test_every_dev_case_is_in_the_issue_format_with_handles_and_a_shop_the_sandbox_accepts():
    cases, themes = load_cases([CASES_DIR])

    assert len(cases) >= MIN_CASES
    for case in cases:
        assert set(case) == {"id", "now", "channel", "post", "answers", "shop", "expect"}, case["id"]
        channel = Channel(case["channel"])
        assert set(case["post"]) == {"author", "text"}, case["id"]
        if channel not in (Channel.HACKERNEWS, Channel.RSS):  # names there are free text
            assert valid_handle(channel, case["post"]["author"]), case["id"]
        handles = [(Channel(on), handle) for c in case["shop"]["customers"] for on, handle in c["handles"].items()]
        assert all(valid_handle(on, handle) for on, handle in handles), case["id"]
        assert set(case["answers"]) <= ANSWER_FIELDS, case["id"]
        shop_state(case["shop"])
        expect = case["expect"]
        assert expect["outcome"] in OUTCOMES, case["id"]
        assert all(LEDGER_FIELDS[entry["op"]] >= set(entry) for entry in expect["ledger"]), case["id"]
        assert all(isinstance(text, str) and text for text in expect["must_tell"]), case["id"]
