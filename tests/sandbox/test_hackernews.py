"""The Hacker News route set, through aiohttp as the connector calls it: Algolia's search by date,
its loose word matching, tags, numeric filters, paging and its limit, 429s and faults."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

import socialcx.sandbox.hackernews
from socialcx.channels import Channel
from socialcx.sandbox import Budget, Sandbox
from socialcx.sandbox.posts import Post

STORIES_AND_COMMENTS = {"tags": "(story,comment)", "hitsPerPage": "1000"}


def search(base_url: str, **params: str) -> tuple[int, Any]:
    """Algolia's answer to a search by date: the status and the JSON (or the text, if not JSON)."""

    async def fetch() -> tuple[int, bytes]:
        async with aiohttp.ClientSession() as session:
            url = f"{base_url}/api/v1/search_by_date"
            async with session.get(url, params=params) as response:
                return response.status, await response.read()

    status, body = asyncio.run(fetch())
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode()


def visible(sandbox: Sandbox) -> list[Post]:
    timeline = sandbox.timelines[Channel.HACKERNEWS]
    now = sandbox.clock.now()
    return [post for post in timeline.posts() if post.created_at <= now]


def add(sandbox: Sandbox, title: str, text: str = "") -> Post:
    """A story posted now."""
    hackernews = next(api for api in sandbox.apis if api.channel is Channel.HACKERNEWS)
    return hackernews.publish(text, None, title=title)


def test_stories_and_comments_come_newest_first_in_algolias_shape(
    sandbox: Sandbox, base_url: str
) -> None:
    status, body = search(base_url, **STORIES_AND_COMMENTS)

    assert status == 200
    posts = visible(sandbox)
    assert [hit["objectID"] for hit in body["hits"]] == [post.id for post in reversed(posts)]
    assert body["nbHits"] == len(posts) > 10 and (body["page"], body["nbPages"]) == (0, 1)
    stories = [hit for hit in body["hits"] if "story" in hit["_tags"]]
    comments = [hit for hit in body["hits"] if "comment" in hit["_tags"]]
    assert stories and comments
    for hit in stories:
        assert hit["title"] and (hit["url"] is None) != (hit["story_text"] is None)
        assert hit["story_id"] == int(hit["objectID"]) and f"author_{hit['author']}" in hit["_tags"]
    by_id = {hit["objectID"]: hit for hit in stories}
    for hit in comments:
        assert hit["comment_text"] and hit["parent_id"] == hit["story_id"]
        story = sandbox.timelines[Channel.HACKERNEWS].by_id(str(hit["story_id"]))
        assert hit["story_title"] == story.title
        assert str(hit["story_id"]) in by_id or story.created_at < posts[0].created_at
    first = body["hits"][0]
    assert first["created_at_i"] == int(posts[-1].created_at.timestamp())
    assert first["created_at"] == posts[-1].created_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_texts_are_html_as_on_hacker_news(sandbox: Sandbox, base_url: str) -> None:
    add(sandbox, "Ask HN: Is Acme down?", "Checkout says \"error\" & <nothing> else.\n\nAnyone?")

    _, body = search(base_url, query="anyone")

    assert body["hits"][0]["story_text"] == (
        "Checkout says &quot;error&quot; &amp; &lt;nothing&gt; else.<p>Anyone?"
    )
    assert "ask_hn" in body["hits"][0]["_tags"]


def test_words_match_whole_but_the_last_as_a_prefix(sandbox: Sandbox, base_url: str) -> None:
    plain = add(sandbox, "Acme's checkout is down again")
    longer = add(sandbox, "AcmeCorp raises a Series B")
    other = add(sandbox, "Checkout flows compared")

    found = {
        query: {hit["objectID"] for hit in search(base_url, query=query)[1]["hits"]}
        for query in ("acme", "checkout acm", "acme checkout", "acm checkout")
    }

    assert {plain.id, longer.id} <= found["acme"] and other.id not in found["acme"]
    assert plain.id in found["checkout acm"] and longer.id not in found["checkout acm"]
    assert plain.id in found["acme checkout"] and other.id not in found["acme checkout"]
    assert not {plain.id, longer.id} & found["acm checkout"]


@pytest.mark.parametrize(
    ("tags", "kinds"),
    [("story", {"story"}), ("comment", {"comment"}), ("(story,comment)", {"story", "comment"})],
)
def test_tags_filter_stories_and_comments(base_url: str, tags: str, kinds: set[str]) -> None:
    _, body = search(base_url, tags=tags, hitsPerPage="1000")

    assert {hit["_tags"][0] for hit in body["hits"]} == kinds


def test_tags_are_anded_and_ored_in_parentheses(base_url: str) -> None:
    _, everything = search(base_url, **STORIES_AND_COMMENTS)
    author = everything["hits"][0]["author"]

    _, theirs = search(base_url, tags=f"(story,comment),author_{author}")

    assert theirs["hits"] and {hit["author"] for hit in theirs["hits"]} == {author}


def test_numeric_filters_bound_creation_times(sandbox: Sandbox, base_url: str) -> None:
    times = sorted({int(post.created_at.timestamp()) for post in visible(sandbox)})
    low, high = times[2], times[-3]

    _, body = search(
        base_url, numericFilters=f"created_at_i>={low},created_at_i<{high}", hitsPerPage="1000"
    )

    found = sorted(hit["created_at_i"] for hit in body["hits"])
    assert found[0] == low and found[-1] < high
    assert len(found) == sum(low <= int(p.created_at.timestamp()) < high for p in visible(sandbox))
    _, exact = search(base_url, numericFilters=f"created_at_i={low}")
    assert {hit["created_at_i"] for hit in exact["hits"]} == {low}


@pytest.mark.parametrize(
    "params",
    [
        {"numericFilters": "created_at_i>>1"},
        {"numericFilters": "karma>1"},
        {"hitsPerPage": "1001"},
        {"page": "-1"},
        {"tags": "(story,comment"},
    ],
)
def test_bad_parameters_are_refused_as_algolia_refuses_them(base_url: str, params) -> None:
    status, body = search(base_url, **params)

    assert status == 400 and body["status"] == 400 and body["message"]


def test_pages_cover_every_hit_once(sandbox: Sandbox, base_url: str) -> None:
    pages, page = [], 0
    while True:
        _, body = search(base_url, tags="(story,comment)", hitsPerPage="4", page=str(page))
        pages.append([hit["objectID"] for hit in body["hits"]])
        page += 1
        if page >= body["nbPages"]:
            break

    assert [len(hits) for hits in pages[:-1]] == [4] * (len(pages) - 1)
    assert sum(pages, []) == [post.id for post in reversed(visible(sandbox))]
    assert search(base_url, hitsPerPage="4", page=str(page))[1]["hits"] == []


def test_only_the_first_hits_up_to_the_limit_can_be_paged_to(
    sandbox: Sandbox, base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socialcx.sandbox.hackernews, "_PAGINATION_LIMIT", 10)

    _, body = search(base_url, hitsPerPage="4", page="2")

    assert (body["nbPages"], body["nbHits"]) == (3, len(visible(sandbox)))
    assert len(body["hits"]) == 4  # the page reaching past the limit is served whole
    assert search(base_url, hitsPerPage="4", page="3")[1]["hits"] == []


def test_past_the_hourly_limit_algolia_answers_429_without_headers(
    sandbox: Sandbox, base_url: str
) -> None:
    sandbox.limits.set("hackernews", Budget(2, 3600))

    statuses = [search(base_url)[0] for _ in range(3)]

    assert statuses == [200, 200, 429]
    status, body = search(base_url)
    assert (status, body["status"]) == (429, 429)


def test_faults_spoil_answers_and_change_hits(sandbox: Sandbox, base_url: str) -> None:
    sandbox.faults.add(route="hackernews.search", kind="malformed")
    status, broken = search(base_url)
    assert status == 200 and isinstance(broken, str)

    sandbox.faults.add(route="hackernews.search", kind="missing_fields", items=3)
    hits = search(base_url, **STORIES_AND_COMMENTS)[1]["hits"]
    missing = [{"objectID", "created_at_i", "author"} - set(hit) for hit in hits[:4]]
    assert missing == [{"author"}, {"created_at_i"}, {"objectID"}, set()]

    listed = [hit["objectID"] for hit in search(base_url, **STORIES_AND_COMMENTS)[1]["hits"]]
    sandbox.faults.add(route="hackernews.search", kind="deleted", items=2)
    for _ in range(2):  # deleted for good: gone from the answer that deleted them, and after
        answer = search(base_url, **STORIES_AND_COMMENTS)[1]
        assert [hit["objectID"] for hit in answer["hits"]] == listed[2:]
        assert answer["nbHits"] == len(visible(sandbox)) - 2


def test_duplicates_bring_back_hits_below_the_time_filter(sandbox: Sandbox, base_url: str) -> None:
    times = sorted(int(post.created_at.timestamp()) for post in visible(sandbox))
    since = {"numericFilters": f"created_at_i>{times[-5]}", "hitsPerPage": "100"}
    plain = [hit["objectID"] for hit in search(base_url, **since)[1]["hits"]]

    sandbox.faults.add(route="hackernews.search", kind="duplicates", items=2)
    again = [hit["objectID"] for hit in search(base_url, **since)[1]["hits"]]

    assert again[: len(plain)] == plain and len(again) == len(plain) + 2


def test_items_are_found_as_the_clock_reaches_them(sandbox: Sandbox, base_url: str) -> None:
    before = search(base_url)[1]["nbHits"]
    sandbox.clock.advance(timedelta(hours=6))

    assert search(base_url)[1]["nbHits"] == len(visible(sandbox)) > before
