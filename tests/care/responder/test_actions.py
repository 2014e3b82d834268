"""Playbook actions: an authorised webhook to the team's order system, called once per mention
within its amount cap and daily budget; anything else puts the mention before a person with
the action's result. A local aiohttp server plays the order system."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from aiohttp import web

from socialcx.care.responder import amount_in, route
from socialcx.store import ActionSpend
from tests.care.responder.conftest import PLAYBOOK, decision_of, inbox_of, outbox_of, row_of


class OrderSystem:
    """The team's own system: answers as `mode` says and keeps every request it got."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[dict, str | None]] = []
        self.url = ""

    async def refund(self, request: web.Request) -> web.Response:
        self.requests.append((await request.json(), request.headers.get("Authorization")))
        if self.mode == "slow":
            await asyncio.sleep(2)
        if self.mode == "error":
            return web.json_response({"error": "order not found"}, status=500)
        return web.json_response({"status": "refunded", "reference": f"R-{len(self.requests)}"})


@pytest.fixture
def order_system() -> Iterator[OrderSystem]:
    system = OrderSystem()
    app = web.Application()
    app.router.add_post("/refund", system.refund)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = web.AppRunner(app, shutdown_timeout=0.1)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return runner.addresses[0][1]

    port = asyncio.run_coroutine_threadsafe(start(), loop).result()
    system.url = f"http://127.0.0.1:{port}/refund"
    yield system
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


@pytest.fixture
def refund_playbook(write_playbook, order_system, monkeypatch):
    monkeypatch.setenv("ACME_ORDERS_TOKEN", "s3cret")
    return write_playbook(PLAYBOOK + f"""\
  return_refund:
    mode: auto
    action:
      url: "{order_system.url}"
      token_env: ACME_ORDERS_TOKEN
      timeout_seconds: 0.5
      amount_cap: 50
      daily_budget: 60
    templates:
      - "Done, @{{author}}: refund {{action.reference}} is on its way."
""")


def _refund_request(add_mention, text: str, **fields) -> int:
    return add_mention(intent="return_refund", text=text, **fields)


def _spend(engine, mention_id: int) -> ActionSpend:
    return row_of(engine, ActionSpend, mention_id)


def test_an_authorised_action_runs_once_and_its_answer_fills_the_reply(engine, settings, refund_playbook, clock, add_mention, order_system):
    mention_id = _refund_request(add_mention, "@acme please refund the £30 you charged twice", author_handle="sam")

    route(engine, settings, refund_playbook, clock)

    [(payload, authorization)] = order_system.requests
    assert authorization == "Bearer s3cret"
    assert (payload["intent"], payload["amount"], payload["mention"]["id"]) == ("return_refund", 30.0, mention_id)
    assert outbox_of(engine, mention_id).text == "Done, @sam: refund R-1 is on its way."
    spend = _spend(engine, mention_id)
    assert (spend.status, spend.amount, spend.result["answer"]["reference"]) == ("ok", 30.0, "R-1")


def test_above_the_cap_the_action_is_not_called_and_a_person_decides(engine, settings, refund_playbook, clock, add_mention, order_system):
    mention_id = _refund_request(add_mention, "@acme I want my $80 back")

    route(engine, settings, refund_playbook, clock)

    assert order_system.requests == []
    decision, item = decision_of(engine, mention_id), inbox_of(engine, mention_id)
    assert (decision.outcome, decision.guardrail) == ("inbox", "action")
    assert item.action_result["status"] == "over_cap" and item.action_result["cap"] == 50
    assert outbox_of(engine, mention_id) is None


def test_the_daily_budget_stops_actions_that_would_overspend_it(engine, settings, refund_playbook, clock, add_mention, order_system):
    first = _refund_request(add_mention, "@acme refund £30 please")
    second = _refund_request(add_mention, "@acme refund £25 please")
    third = _refund_request(add_mention, "@acme refund £10 please")

    route(engine, settings, refund_playbook, clock)

    assert [payload["amount"] for payload, _ in order_system.requests] == [30.0, 25.0]
    assert [decision_of(engine, m).outcome for m in (first, second, third)] == ["auto_reply", "auto_reply", "inbox"]
    result = inbox_of(engine, third).action_result
    assert (result["status"], result["spent_today"], result["budget"]) == ("over_budget", 55.0, 60)


@pytest.mark.parametrize(("mode", "status", "detail"), [("slow", "timeout", "no answer within 0.5 s"), ("error", "error", "answered 500")])
def test_a_failing_action_hands_the_mention_to_a_person_with_its_result(engine, settings, refund_playbook, clock, add_mention, order_system, mode, status, detail):
    order_system.mode = mode
    mention_id = _refund_request(add_mention, "@acme refund £20 please")

    route(engine, settings, refund_playbook, clock)

    decision, item = decision_of(engine, mention_id), inbox_of(engine, mention_id)
    assert decision.guardrail == "action" and detail in decision.reason
    assert item.action_result["status"] == status
    assert outbox_of(engine, mention_id) is None
    assert _spend(engine, mention_id).amount == 0  # a failed call spends nothing of the budget


def test_in_shadow_mode_the_action_is_never_called(engine, settings, write_playbook, clock, add_mention, order_system):
    playbook = write_playbook(PLAYBOOK + f"""\
  return_refund:
    mode: draft
    action: {{url: "{order_system.url}"}}
    templates: ["Done, @{{author}}: refund {{action.reference}} is on its way."]
""")
    mention_id = _refund_request(add_mention, "@acme refund £20 please")

    route(engine, settings, playbook, clock)

    assert order_system.requests == []
    assert decision_of(engine, mention_id).outcome == "draft"
    assert inbox_of(engine, mention_id).draft is None  # the draft needs the action's answer


@pytest.mark.parametrize(
    ("text", "amount"),
    [("refund £30 please", 30.0), ("charged $12.50 twice", 12.5), ("40 EUR gone", 40.0), ("€7,99", 7.99), ("order 12345", None)],
)
def test_the_amount_is_the_first_sum_of_money_a_post_names(text, amount):
    assert amount_in(text) == amount
