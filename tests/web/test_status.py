"""The status page in a real browser: admins only; the kill switch; the playbook as loaded."""

from __future__ import annotations

import sqlalchemy as sa

from socialcx.care.outbox import is_paused
from tests.web.conftest import screenshot


def _paused(site) -> bool:
    with site.engine.connect() as connection:
        return is_paused(connection)


def test_an_admin_pauses_and_resumes_the_auto_replies(site, page, login):
    login(page, "root")
    page.click("a[href='/status']")
    assert "x\tacme\ton\t13" in page.inner_text("table")  # polled cleanly, 13 mentions
    assert "Hi @{author}, you can follow your order" in page.inner_text("#playbook")
    page.fill("input[name=reason]", "wrong prices in the templates")
    page.click("#pause")

    assert _paused(site) and "wrong prices in the templates" in page.inner_text("#switch")
    screenshot(page, "status")
    page.click("#resume")
    assert not _paused(site) and page.inner_text(".note") == "Auto-replies resumed."


def test_an_agent_neither_sees_nor_uses_the_status_page(site, page, login):
    login(page, "maya")
    assert page.locator("a[href='/status']").count() == 0
    token = page.locator("input[name=csrf]").first.input_value()

    shown = page.goto(f"{site.url}/status")
    paused = page.request.post(f"{site.url}/status/pause", form={"csrf": token})

    assert shown.status == paused.status == 403 and not _paused(site)


def test_no_secret_reaches_the_page(site, page, login):
    login(page, "root")
    page.goto(f"{site.url}/status")
    html = page.content()

    assert "sandbox-bearer_token" not in html and "SANDBOX_X_" not in html
    assert site.one(sa.text("SELECT password_hash FROM web_user")).password_hash not in html
