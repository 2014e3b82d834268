"""Incidents in a real browser: an agent sees the statement but cannot approve it; an approver
edits and approves it, and it reaches every member on the sandbox's X once."""

from __future__ import annotations

import sqlalchemy as sa

from socialcx.care.outbox import send_pending
from socialcx.channels import Channel
from socialcx.store import IncidentMember, IncidentRow, Mention, OutboxReply
from tests.care.responder.conftest import our_replies
from tests.web.conftest import run_async, screenshot


def _incident(site):
    return site.one(sa.select(IncidentRow.__table__))


def test_an_agent_cannot_approve_a_statement(site, page, login):
    incident = _incident(site)
    login(page, "maya")
    page.goto(f"{site.url}/incidents/{incident.id}")

    assert page.locator("#approve-statement").count() == 0 and page.locator("#statement").get_attribute("readonly") is not None
    token = page.locator("input[name=csrf]").first.input_value()
    forced = page.request.post(f"{site.url}/incidents/{incident.id}/approve", form={"csrf": token, "text": "@{author} hi"})

    assert forced.status == 403 and "needs the approver role" in forced.text()
    assert _incident(site).state == "drafted"


def test_an_approver_edits_and_approves_the_statement_and_it_reaches_every_member(site, page, login):
    incident = _incident(site)
    login(page, "alex")
    page.click("a[href='/incidents']")
    assert "checkout" in page.inner_text("main")
    page.click(f"a[href='/incidents/{incident.id}']")
    assert "checkout" in page.inner_text(".term") and page.locator("svg.chart rect").count() >= 1
    screenshot(page, "incident")
    page.fill("#statement", "@{author} checkout is failing for some of you; we're on it. Updates: https://status.acme.example")
    page.click("#approve-statement")

    assert page.inner_text(".note").startswith(f"Incident #{incident.id}: the statement is approved; 8 queued in the outbox now")
    assert _incident(site).approved_by == "alex"
    run_async(send_pending(site.engine, site.settings, site.clock))
    members = IncidentMember.__table__
    with site.engine.connect() as connection:
        rows = connection.execute(
            sa.select(Mention.external_id, Mention.author_handle, OutboxReply.state)
            .join(members, members.c.mention_id == Mention.id).join(OutboxReply, OutboxReply.mention_id == Mention.id)
        ).all()
    assert len(rows) == 8 and {row.state for row in rows} == {"sent"}
    for row in rows:
        [reply] = our_replies(site.sandbox, Channel.X, row.external_id)
        assert site.sandbox.timelines[Channel.X].by_id(reply).text.startswith(f"@{row.author_handle} checkout is failing")
    page.reload()
    assert "answered by the statement" in page.inner_text(".cards") and "8\nanswered" in page.inner_text(".cards")
