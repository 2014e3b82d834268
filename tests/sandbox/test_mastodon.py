"""The Mastodon route set, through Mastodon.py: notifications, hashtag timelines and search paged
as Mastodon pages them, statuses in HTML, threads, posting, rate limits and every fault kind."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonInternalServerError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServiceUnavailableError,
    MastodonUnauthorizedError,
)

from connectors.base import plain_text
from socialcx import ManualClock
from socialcx.channels import Channel
from socialcx.sandbox import Budget, Sandbox


def client(base_url: str, token: str | None = "sandbox-token") -> Mastodon:
    return Mastodon(
        access_token=token,
        api_base_url=base_url,
        mastodon_version="4.2.0",
        version_check_mode="created",
        ratelimit_method="throw",
    )


@pytest.fixture
def mastodon(base_url: str) -> Mastodon:
    return client(base_url)


def ids(statuses) -> list[int]:
    return [int(status["id"]) for status in statuses]


def test_mention_notifications_page_by_the_link_header_in_their_own_ids(mastodon: Mastodon) -> None:
    first = mastodon.notifications(types=["mention"], limit=5)
    second = mastodon.fetch_next(first)
    notifications = [*first, *second]
    statuses = [item.status for item in notifications]

    assert len(statuses) == 10 and ids(statuses) == sorted(set(ids(statuses)), reverse=True)
    assert all(item.type == "mention" for item in first)
    assert all("@acme" in plain_text(status.content).lower() for status in statuses)
    # Mastodon numbers notifications in a sequence of their own, far below status ids
    numbers = ids(notifications)
    assert numbers == sorted(set(numbers), reverse=True) and max(numbers) < 10**6
    assert mastodon.get_pagination_info(first, "next")["max_id"] == int(first[-1].id)

    newer = mastodon.notifications(types=["mention"], since_id=notifications[3].id)
    assert ids(newer) == numbers[:3]
    just_above = mastodon.notifications(types=["mention"], min_id=notifications[6].id, limit=2)
    assert ids(just_above) == numbers[4:6]
    assert mastodon.get_pagination_info(newer, "next") is None  # not a full page: nothing below
    assert mastodon.notifications(types=["mention"], since_id=statuses[0].id) == []
    assert mastodon.notifications(types=["follow"]) == []


def test_the_clock_decides_what_is_visible(mastodon: Mastodon, sandbox_clock: ManualClock) -> None:
    before = mastodon.notifications(types=["mention"], limit=40)
    assert all(item.created_at <= sandbox_clock.now() for item in before)
    sandbox_clock.advance(timedelta(hours=3))
    after = mastodon.notifications(types=["mention"], since_id=before[0].id)
    assert after and min(ids(item.status for item in after)) > int(before[0].status.id)
    assert min(ids(after)) == int(before[0].id) + 1  # made as the clock reached their statuses


def test_statuses_carry_their_text_as_html_and_their_author(
    mastodon: Mastodon, sandbox: Sandbox
) -> None:
    status = mastodon.notifications(types=["mention"], limit=1)[0].status
    post = sandbox.timelines[Channel.MASTODON].by_id(str(status.id))

    assert status.content.startswith("<p>") and 'class="u-url mention"' in status.content
    assert plain_text(status.content) == post.text
    account = status.account
    assert (account.username, account.display_name, account.followers_count) == (
        post.author.handle,
        post.author.name,
        post.author.followers,
    )
    assert account.acct in (
        post.author.handle,
        *(
            f"{post.author.handle}@{home}"
            for home in ("mastodon.social", "fosstodon.org", "mas.to", "hachyderm.io")
        ),
    )
    assert (
        status.url.endswith(f"/@{post.author.handle}/{post.id}") and status.in_reply_to_id is None
    )
    assert [mention.acct for mention in status.mentions] == ["acme"]


def test_hashtag_timelines_and_search_find_what_they_should(mastodon: Mastodon) -> None:
    tagged = mastodon.timeline_hashtag("acme", limit=40)
    assert tagged and all("#acme" in plain_text(status.content).lower() for status in tagged)
    assert all({tag.name for tag in status.tags} >= {"acme"} for status in tagged)

    found = mastodon.search_v2("acme", result_type="statuses", resolve=False, limit=5)
    assert len(found.statuses) == 5 and found.accounts == [] and found.hashtags == []
    below = mastodon.search_v2(
        "acme", result_type="statuses", resolve=False, max_id=found.statuses[-1].id
    )
    assert max(ids(below.statuses)) < min(ids(found.statuses))
    skipped = mastodon.search_v2("acme", result_type="statuses", resolve=False, limit=3, offset=2)
    assert ids(skipped.statuses) == ids(found.statuses[2:5])
    author = found.statuses[0].account.acct
    by_author = mastodon.search_v2(f"from:{author} acme", result_type="statuses", resolve=False)
    assert by_author.statuses and {status.account.acct for status in by_author.statuses} == {author}


def test_a_reply_shows_up_in_the_thread_and_later_listings(
    mastodon: Mastodon, sandbox: Sandbox, sandbox_clock: ManualClock
) -> None:
    target = mastodon.notifications(types=["mention"], limit=1)[0].status
    me = mastodon.account_verify_credentials()

    posted = mastodon.status_post(
        f"@{target.account.acct} Sorry! #acme will DM you", in_reply_to_id=target.id
    )

    assert posted.account.id == me.id and me.acct == "acme"
    assert (
        str(posted.in_reply_to_id) == str(target.id)
        and posted.in_reply_to_account_id == target.account.id
    )
    context = mastodon.status_context(target.id)
    assert ids(context.descendants) == [int(posted.id)] and context.ancestors == []
    assert ids(mastodon.status_context(posted.id).ancestors) == [int(target.id)]
    sandbox_clock.advance(timedelta(seconds=1))
    assert int(posted.id) in ids(mastodon.timeline_hashtag("acme"))
    with pytest.raises(MastodonAPIError, match="character limit of 500"):
        mastodon.status_post("x" * 501)
    with pytest.raises(MastodonNotFoundError):
        mastodon.status_post("hello?", in_reply_to_id=1)


def test_every_answer_carries_rate_limit_headers_and_a_spent_window_answers_429(
    base_url: str, sandbox: Sandbox
) -> None:
    mastodon = client(base_url)
    mastodon.notifications(limit=1)
    assert mastodon.ratelimit_limit == 300 and mastodon.ratelimit_remaining == 299
    sandbox.limits.set("mastodon", Budget(1, 300))
    mastodon.timeline_hashtag("acme")
    with pytest.raises(MastodonRatelimitError):
        mastodon.timeline_hashtag("acme")
    assert 290 <= mastodon.ratelimit_reset - time.time() <= 301  # from the ISO X-RateLimit-Reset
    assert mastodon.status_post("posting has its own window")
    with pytest.raises(MastodonUnauthorizedError):
        client(base_url, token=None).notifications()


def test_answer_faults_reach_the_client(mastodon: Mastodon, sandbox: Sandbox) -> None:
    sandbox.faults.add(route="mastodon.notifications", kind="500")
    sandbox.faults.add(route="mastodon.tag", kind="503")
    sandbox.faults.add(route="mastodon.search", kind="malformed")
    sandbox.faults.add(route="mastodon.context", kind="429", seconds=30)
    with pytest.raises(MastodonInternalServerError):
        mastodon.notifications()
    with pytest.raises(MastodonServiceUnavailableError):
        mastodon.timeline_hashtag("acme")
    with pytest.raises(MastodonAPIError, match="Could not parse response as JSON"):
        mastodon.search_v2("acme", result_type="statuses")
    with pytest.raises(MastodonRatelimitError):
        mastodon.status_context(mastodon.notifications(limit=1)[0].status.id)


def test_item_faults_change_the_listed_statuses(mastodon: Mastodon, sandbox: Sandbox) -> None:
    whole = mastodon.notifications(types=["mention"], limit=10)
    sandbox.faults.add(route="mastodon.notifications", kind="missing_fields", items=3)
    spoiled = mastodon.notifications(types=["mention"], limit=10)
    # Mastodon.py's Status fills in what the answer left out with None
    missing = [
        {name for name in ("content", "created_at", "account") if item.status.get(name) is None}
        for item in spoiled
    ]
    assert missing[:3] == [{"content"}, {"created_at"}, {"account"}] and not any(missing[3:])

    sandbox.faults.add(route="mastodon.notifications", kind="duplicates", items=2)
    second = mastodon.notifications(types=["mention"], limit=10, max_id=whole[-1].id)
    assert [item.id for item in second][:2] == [item.id for item in whole][-2:]

    sandbox.faults.add(route="mastodon.notifications", kind="deleted", items=3)
    shorter = mastodon.notifications(types=["mention"], limit=10)
    assert [item.id for item in shorter] == [item.id for item in whole][3:]
    assert mastodon.get_pagination_info(shorter, "next") is not None  # the page was full



def test_search_cuts_its_page_before_deleted_statuses_drop_out(
    mastodon: Mastodon, sandbox: Sandbox
) -> None:
    whole = mastodon.search_v2("acme", result_type="statuses", limit=10)
    sandbox.faults.add(route="mastodon.search", kind="deleted", items=2)

    found = mastodon.search_v2("acme", result_type="statuses", limit=10)

    # a short page (as Mastodon's search filters after limiting), with more behind it
    assert ids(found.statuses) == ids(whole.statuses)[2:]
    oldest = found.statuses[-1].id
    below = mastodon.search_v2("acme", result_type="statuses", limit=10, max_id=oldest)
    assert len(below.statuses) == 10 and max(ids(below.statuses)) < min(ids(found.statuses))
