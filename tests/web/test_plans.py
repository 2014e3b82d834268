"""Plans in a real browser, over the stand-in shop: an agent cannot approve; an approver whose
limit is below the amount cannot either; one within it approves, and the shop's ledger holds the
refund, once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from socialcx import ManualClock, connect
from socialcx.care.conversations import advance, open_conversations
from socialcx.care.policy import Policy
from socialcx.care.systems import HttpCommerceSystem
from socialcx.config import load_settings
from socialcx.store import Mention
from socialcx.web import make_app
from socialcx.web.users import add_user
from tests.care.resolution.conftest import store_mention
from tests.care.resolution.needs_stub import StubReader
from tests.sandbox.shops import NOW, shop_sandbox
from tests.web.conftest import PASSWORD, run_async, screenshot, serve, sign_in

# The first approval in a process runs the care pipeline cold: 5 to 8 s on a loaded 2-core machine.
APPROVING_MS = 30_000
REFUND = {"op": "refund", "order": "A1042", "amount": 64.0, "charge": "ch_2"}


def _workspace(tmp: Path) -> Iterator[tuple[str, Any]]:
    """The workspace over a store where one plan waits (a refund of 64.00, above the policy's 50.00
    cap) and the shop that holds the order; the workspace's URL and the shop."""
    with shop_sandbox() as (sandbox, shop_url), pytest.MonkeyPatch.context() as env:
        env.setenv("SHOP_TOKEN", "t0ken")
        (tmp / "socialcx.toml").write_text(
            f'data_dir = {str(tmp)!r}\n[commerce]\nbase_url = "{shop_url}"\ntoken_env = "SHOP_TOKEN"\n', encoding="utf-8"
        )
        settings = load_settings(tmp / "socialcx.toml")
        engine = connect(settings.database)
        mention_id = store_mention(engine, NOW, "@acme I was charged twice for A1042")
        with engine.begin() as connection:
            mention = connection.execute(sa.select(Mention.__table__).where(Mention.__table__.c.id == mention_id)).one()
            open_conversations(connection, [mention], NOW)
            for name, role, limit in (("maya", "agent", None), ("lee", "approver", 50.0), ("alex", "approver", 100.0)):
                add_user(connection, name, role=role, password=PASSWORD, now=NOW, amount_limit=limit)

        async def decide() -> None:
            async with HttpCommerceSystem(shop_url, "t0ken") as commerce:
                await advance(engine, commerce, Policy(), NOW, reader=StubReader())

        run_async(decide())
        for url in serve(make_app(settings, engine, ManualClock(NOW))):
            yield url, sandbox.shop
        engine.dispose()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    yield from _workspace(tmp_path_factory.mktemp("plans"))


@pytest.fixture(scope="module")
def second_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """Another such workspace, for the test that changes the plan's amount."""
    yield from _workspace(tmp_path_factory.mktemp("plans-edited"))


def test_an_agent_cannot_approve_a_plan(shop, page):
    url, ledger = shop[0], shop[1].ledger
    sign_in(page, url, "maya")
    page.goto(f"{url}/plans/1")
    assert page.locator("#approve-plan").count() == 0 and "An approver decides this plan." in page.inner_text("main")
    token = page.locator("input[name=csrf]").first.input_value()

    forced = page.request.post(f"{url}/plans/1/approve", form={"csrf": token})

    assert forced.status == 403 and "needs the approver role" in forced.text() and ledger == []


def test_an_approver_below_the_amount_cannot_approve_it(shop, page):
    url, ledger = shop[0], shop[1].ledger
    sign_in(page, url, "lee")
    page.goto(f"{url}/plans/1")
    assert "64.00, above lee's limit of 50.00" in page.inner_text(".error") and page.locator("#approve-plan").count() == 0
    token = page.locator("input[name=csrf]").first.input_value()

    page.request.post(f"{url}/plans/1/approve", form={"csrf": token})

    assert ledger == []


def test_an_approver_within_the_limit_approves_and_the_shop_refunds_once(shop, page):
    url, ledger = shop[0], shop[1].ledger
    sign_in(page, url, "alex")
    page.click("a[href='/plans']")
    assert "refund" in page.inner_text("tr.plan") and "64.00" in page.inner_text("tr.plan")
    page.click("a[href='/plans/1']")
    assert "approve: " in page.inner_text("table.steps") and "above the 50.00" in page.inner_text("table.steps")
    screenshot(page, "plan")
    page.click("#approve-plan", timeout=APPROVING_MS)

    assert page.inner_text(".note").startswith("Plan #1 approved: 1 write(s) done in the shop")
    assert ledger == [REFUND]
    token = page.locator("input[name=csrf]").first.input_value()
    page.request.post(f"{url}/plans/1/approve", form={"csrf": token})
    assert ledger == [REFUND]


def test_an_approver_lowers_the_refund_to_within_their_limit_and_approves_it(second_shop, page):
    url, ledger = second_shop[0], second_shop[1].ledger
    sign_in(page, url, "lee")
    page.goto(f"{url}/plans/1")
    assert page.locator("#approve-plan").count() == 0
    token = page.locator("input[name=csrf]").first.input_value()
    assert page.request.post(f"{url}/plans/1/amount", form={"step": "1", "amount": "1.00"}).status == 403  # no CSRF token

    page.fill("#amount-1", "60.00")  # under the policy's 64.00, above lee's 50.00
    page.click("#set-amount-1")
    assert "Refused: 60.00 is above your approval limit of 50.00" in page.inner_text(".note")
    assert page.input_value("#amount-1") == "64.00" and page.locator("#approve-plan").count() == 0
    page.fill("#amount-1", "50.00")
    page.click("#set-amount-1")
    assert "the refund is now 50.00 (the policy's: 64.00)" in page.inner_text(".note") and ledger == []
    page.click("#approve-plan", timeout=APPROVING_MS)

    assert page.inner_text(".note").startswith("Plan #1 approved: 1 write(s) done in the shop")
    assert ledger == [REFUND | {"amount": 50.0}]
    page.request.post(f"{url}/plans/1/amount", form={"csrf": token, "step": "1", "amount": "10.00"})
    assert ledger == [REFUND | {"amount": 50.0}] and page.locator("#amount-1").count() == 0
