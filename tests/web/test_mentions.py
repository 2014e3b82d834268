"""The mentions page in a real browser: search, a page at a time, and the filter exported as CSV."""

from __future__ import annotations

import csv
import io

from tests.web.conftest import IMAGE, SCRIPT, screenshot


def test_search_filters_what_is_stored_and_exports_the_same_as_csv(site, page, login):
    login(page, "maya")
    page.click("a[href='/mentions']")
    assert page.locator("tr.mention").count() == 13
    page.fill("input[name=text]", "ORDER")
    page.click("button:has-text('Search')")

    shown = page.locator("tr.mention td.text").all_inner_texts()
    assert len(shown) == 7 and all("order" in text.lower() for text in shown)  # five about orders, two outage reports
    assert SCRIPT in shown and IMAGE in shown and page.dialogs == [] and page.evaluate("window.__xss") is None
    screenshot(page, "mentions")
    with page.expect_download() as download:
        page.click("#export")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))

    assert sorted(row["text"] for row in rows) == sorted(shown)
    assert rows[0]["channel"] == "x" and rows[0]["intent"] == "order_status"


def test_a_time_a_person_cannot_mean_is_said_not_guessed(site, page, login):
    login(page, "maya")
    response = page.goto(f"{site.url}/mentions?since=last+tuesday")

    assert response.status == 400 and page.inner_text(".error").startswith("since: ")
