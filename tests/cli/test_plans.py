"""`socialcx plans`: the plan waiting for approval is listed and shown with its write filled in;
approving does it in the shop once, rejecting does nothing there; unknown plans are refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from socialcx import connect
from socialcx.care.conversations import advance, open_conversations
from socialcx.care.policy import Policy
from socialcx.care.systems import HttpCommerceSystem
from socialcx.cli import app
from socialcx.store import Mention
from tests.care.resolution.conftest import store_mention
from tests.care.resolution.needs_stub import StubReader
from tests.sandbox.shops import NOW, shop_sandbox


@pytest.fixture
def waiting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A store with one plan waiting (a refund of 64.00, above the 50.00 cap), a config pointing
    at the shop that holds the order; yields the shop's sandbox."""
    with shop_sandbox() as (sandbox, shop_url):
        (tmp_path / "socialcx.toml").write_text(
            f'data_dir = "."\n[commerce]\nbase_url = "{shop_url}"\ntoken_env = "SHOP_TOKEN"\n', encoding="utf-8"
        )
        monkeypatch.setenv("SHOP_TOKEN", "t0ken")
        monkeypatch.setenv("SOCIALCX_CONFIG", str(tmp_path / "socialcx.toml"))
        engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
        mention_id = store_mention(engine, NOW, "@acme I was charged twice for A1042")
        with engine.begin() as connection:
            open_conversations(connection, [connection.execute(sa.select(Mention.__table__).where(Mention.__table__.c.id == mention_id)).one()], NOW)

        async def decide() -> None:
            async with HttpCommerceSystem(shop_url, "t0ken") as commerce:
                await advance(engine, commerce, Policy(), NOW, reader=StubReader())

        asyncio.run(decide())
        engine.dispose()
        yield sandbox


def _run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


def test_list_and_show_give_the_waiting_write_with_the_policy_reason(waiting) -> None:
    listed = _run("plans", "list")
    assert listed.exit_code == 0 and "refund 64.00 on A1042 (ch_2)" in listed.output
    shown = _run("plans", "show", "1")
    assert "waiting" in shown.output and "above the 50.00" in shown.output and "socialcx plans approve 1" in shown.output


def test_approve_refunds_once_in_the_shop_and_a_second_approve_is_refused(waiting) -> None:
    approved = _run("plans", "approve", "1", "--agent", "ana")
    assert approved.exit_code == 0, approved.output
    assert "1 write(s) done in the shop" in approved.output and "resolved" in approved.output
    assert waiting.shop.ledger == [{"op": "refund", "order": "A1042", "amount": 64.0, "charge": "ch_2"}]
    again = _run("plans", "approve", "1")
    assert again.exit_code == 1 and "no step waiting" in again.output
    assert len(waiting.shop.ledger) == 1
    assert "No plan waits" in _run("plans", "list").output


def test_reject_does_nothing_in_the_shop_and_hands_the_case_over(waiting) -> None:
    rejected = _run("plans", "reject", "1", "--agent", "ana")
    assert rejected.exit_code == 0 and "handed over" in rejected.output
    assert waiting.shop.ledger == []


def test_an_unknown_plan_is_one_sentence_naming_the_list_command(waiting) -> None:
    result = _run("plans", "show", "42")
    assert result.exit_code == 1 and "there is no plan 42; `socialcx plans list` shows them" in result.output


def test_edit_lowers_the_refund_and_approve_refunds_that_once(waiting) -> None:
    step = next(line.split(".")[0].strip() for line in _run("plans", "show", "1").output.splitlines() if "refund 64.00" in line)
    assert f"socialcx plans edit 1 {step} AMOUNT" in _run("plans", "show", "1").output
    edited = _run("plans", "edit", "1", step, "40.00", "--agent", "ana")
    assert edited.exit_code == 0, edited.output
    assert "the refund is now 40.00 (the policy's: 64.00)" in edited.output and waiting.shop.ledger == []
    assert _run("plans", "approve", "1", "--agent", "ana").exit_code == 0
    assert waiting.shop.ledger == [{"op": "refund", "order": "A1042", "amount": 40.0, "charge": "ch_2"}]


def test_edit_above_the_policy_or_of_no_waiting_refund_is_one_sentence(waiting) -> None:
    step = next(line.split(".")[0].strip() for line in _run("plans", "show", "1").output.splitlines() if "refund 64.00" in line)
    higher = _run("plans", "edit", "1", step, "70")
    assert higher.exit_code == 1 and "70.00 is above the 64.00 the policy computed; a higher refund needs a new plan" in higher.output
    other = _run("plans", "edit", "1", "2", "10")  # a look-up
    assert other.exit_code == 1 and "step 2 of plan 1 is no refund waiting for approval" in other.output
    assert "refund 64.00 on A1042" in _run("plans", "list").output
