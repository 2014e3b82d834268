"""Signing in and the inbox, in a real browser: what an agent clicks, and what reaches the
store and the sandbox's X."""

from __future__ import annotations

import sqlalchemy as sa

from socialcx.care.outbox import send_pending
from socialcx.channels import Channel
from socialcx.store import Feedback, InboxItem, OutboxReply
from socialcx.web.app import WORKSPACE
from socialcx.web.security import LoginThrottle
from tests.care.responder.conftest import our_replies
from tests.web.conftest import IMAGE, PASSWORD, SCRIPT, run_async, screenshot


def _item(site, mention_id):
    return site.one(sa.select(InboxItem.__table__).where(InboxItem.mention_id == mention_id))


def _posted(site, mention) -> list[str]:
    """The texts of our replies to a mention on the sandbox's X."""
    ids = set(our_replies(site.sandbox, Channel.X, mention.external_id))
    return [post.text for post in site.sandbox.timelines[Channel.X].posts() if post.id in ids]


def test_logged_out_access_goes_to_the_login_page_and_back(site, page):
    page.goto(f"{site.url}/inbox/7")
    assert page.url.startswith(f"{site.url}/login?next=") and page.url.endswith("inbox/7")

    page.fill("input[name=name]", "maya")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_url(f"{site.url}/inbox/7")
    assert "maya (agent)" in page.inner_text("header")


def test_a_wrong_password_is_refused_and_repeated_failures_are_throttled(site, page):
    try:
        answers = []
        for _ in range(6):
            page.goto(f"{site.url}/login")
            page.fill("input[name=name]", "maya")
            page.fill("input[name=password]", "not the password")
            with page.expect_response(f"{site.url}/login") as response:
                page.click("button[type=submit]")
            answers.append((response.value.status, page.inner_text(".error")))
        page.fill("input[name=password]", PASSWORD)
        with page.expect_response(f"{site.url}/login") as response:
            page.click("button[type=submit]")
    finally:
        site.app[WORKSPACE].throttle = LoginThrottle()  # the other tests sign in from this address too

    assert answers[:5] == [(401, "Wrong name or password.")] * 5
    assert answers[5] == (429, "Too many failed attempts: try again in 15 minutes.")
    assert response.value.status == 429 and page.url.startswith(f"{site.url}/login")  # the right password waits too


def test_a_form_posted_without_the_csrf_token_is_refused(site, page, login):
    login(page, "maya")

    refused = page.request.post(f"{site.url}/inbox/11/claim", form={})
    forged = page.request.post(f"{site.url}/inbox/11/claim", form={"csrf": "guessed"})

    assert refused.status == forged.status == 403 and "CSRF" in refused.text()
    assert _item(site, 11).claimed_by is None


def test_an_agent_claims_an_item_from_the_inbox(site, page, login):
    login(page, "maya")
    screenshot(page, "inbox")
    page.click("a[href='/inbox/13']")
    page.click("#claim")

    assert page.inner_text(".note") == "#13 is yours, maya."
    assert (_item(site, 13).status, _item(site, 13).claimed_by) == ("claimed", "maya")
    page.goto(f"{site.url}/inbox?assignee=maya")
    assert page.locator("tr.item").count() == 1 and "claimed (maya)" in page.inner_text("tr.item")


def test_a_reply_goes_through_the_outbox_and_reaches_x(site, page, login):
    mention = site.mention("@acme my parcel is late, order #A101")
    login(page, "maya")
    page.goto(f"{site.url}/inbox/{mention.id}")
    assert page.input_value("#reply-text").startswith("Hi @customer23")  # the draft, to edit
    text = "@customer23 so sorry, it left our depot this morning: it arrives tomorrow."
    page.fill("#reply-text", text)
    assert page.inner_text(".count") == f"{len(text)} / 280 characters on x"
    screenshot(page, "item")
    page.click("#send-reply")

    assert page.inner_text(".note").startswith(f"Reply to #{mention.id} queued (outbox #")
    run_async(send_pending(site.engine, site.settings, site.clock))  # what the daemon's outbox job does
    assert _posted(site, mention) == [text]
    assert _item(site, mention.id).status == "replied"


def test_an_agent_approves_a_draft_as_it_stands(site, page, login):
    mention = site.mention("@acme where is my order? #A100")
    login(page, "maya")
    page.goto(f"{site.url}/inbox/{mention.id}")
    page.click("#approve")

    assert page.inner_text(".note").startswith(f"Draft for #{mention.id} approved and queued")
    reply = site.one(sa.select(OutboxReply.__table__).where(OutboxReply.mention_id == mention.id))
    assert (reply.origin, reply.agent) == ("approved", "maya")
    run_async(send_pending(site.engine, site.settings, site.clock))
    assert _posted(site, mention) == ["Hi @customer22, you can follow your order at https://acme.example/orders"]


def test_a_relabel_is_kept_as_feedback(site, page, login):
    mention = site.mention("@acme order A102 never came")
    login(page, "maya")
    page.goto(f"{site.url}/inbox/{mention.id}")
    page.select_option("select[name=intent]", "shipping_delay")
    page.click("#relabel")

    assert "intent: order_status → shipping_delay" in page.inner_text(".note")
    feedback = site.one(sa.select(Feedback.__table__).where(Feedback.mention_id == mention.id))
    assert (feedback.field, feedback.old, feedback.new, feedback.agent) == ("intent", "order_status", "shipping_delay", "maya")
    assert "shipping_delay" in page.inner_text(".triage")


def test_markup_in_a_mention_is_shown_as_text_and_runs_nothing(site, page, login):
    login(page, "maya")
    for path in ("/inbox", f"/inbox/{site.mention(SCRIPT).id}", f"/inbox/{site.mention(IMAGE).id}"):
        page.goto(f"{site.url}{path}")
        page.wait_for_load_state("load")
        shown = page.inner_text("main")
        assert "<script>window.__xss" in shown and '"><img src=x onerror=' in shown or path != "/inbox"
        assert page.evaluate("window.__xss") is None
        assert page.locator("main script, main img").count() == 0
    assert page.dialogs == []
    assert '"><img src=x onerror=' in page.inner_text("td.text >> nth=0") or IMAGE in page.inner_text("main")


def test_keys_move_open_and_claim(site, page, login):
    login(page, "maya")
    page.keyboard.press("j")
    first = page.locator("tr.item.selected").get_attribute("data-href")
    page.keyboard.press("o")
    page.wait_for_url(f"{site.url}{first}")
    page.keyboard.press("c")

    item = int(first.rsplit("/", 1)[1])
    assert page.inner_text(".note") == f"#{item} is yours, maya." and _item(site, item).claimed_by == "maya"
    page.wait_for_load_state("load")  # the claim reloaded the page: its key handler is attached on load
    page.keyboard.press("r")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'reply-text'", timeout=5000)
