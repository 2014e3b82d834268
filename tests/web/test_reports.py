"""KPIs and trends in a real browser, after a reply has been sent and an alert raised."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from socialcx.care.inbox import reply
from socialcx.care.outbox import send_pending
from socialcx.store import Alert, AlertEvent
from tests.web.conftest import run_async, screenshot


def test_kpis_count_what_was_answered_over_the_chosen_period(site, page, login):
    mention = site.mention("@acme where is my order? #A100")
    with site.engine.begin() as connection:
        reply(connection, mention.id, "@customer22 it ships today.", agent="maya", now=site.clock.now())
    run_async(send_pending(site.engine, site.settings, site.clock))
    login(page, "maya")
    page.click("a[href='/kpis']")

    assert page.inner_text("#mentions") == "13" and page.inner_text("#answered") == "1"
    assert "channel\tx\t1" in page.inner_text("table") and page.locator("svg.chart rect").count() >= 2
    screenshot(page, "kpis")
    page.select_option("select[name=period]", "all")
    page.click("button:has-text('Show')")
    assert page.url.endswith("/kpis?period=all") and page.inner_text("#answered") == "1"


def test_trends_mark_the_hours_with_an_alert(site, page, login):
    with site.engine.begin() as connection:
        alert = connection.execute(sa.select(Alert.id)).scalar_one()
        connection.execute(sa.insert(AlertEvent.__table__).values(
            alert_id=alert, kind="raised", at=site.clock.now() - timedelta(minutes=4), channel="all", slice="all",
            observed=12, expected=2, score=5.0,
        ))
    login(page, "maya")
    page.click("a[href='/trends']")

    first = page.locator("figure.trend").first
    assert first.locator("figcaption").inner_text().startswith("all: 13 mentions")
    assert first.locator("circle").count() == 1 and page.locator("figure.trend circle").count() == 1
    assert '"checkout"' in page.inner_text("table")  # the open alert
    screenshot(page, "trends")
