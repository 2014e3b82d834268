"""The timeline index: pages by key, newest first, with cursors on either side and cached views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from socialcx.channels import Channel
from socialcx.sandbox.posts import Author, Post, Timeline, base36, post_id, post_key, visible_key

START = datetime(2026, 11, 23, tzinfo=UTC)
AUTHOR = Author("1", "jess", "Jess", 1)


def timeline(count: int) -> Timeline:
    """Posts one minute apart, `post 0` first, handed over in no particular order."""
    moments = [START + timedelta(minutes=minute) for minute in range(count)]
    posts = [
        Post(Channel.X, post_key(at, 0), str(post_key(at, 0)), at, AUTHOR, f"post {n}")
        for n, at in enumerate(moments)
    ]
    return Timeline(Channel.X, reversed(posts))


def minutes(page_posts: list[Post]) -> list[int]:
    return [int(post.text.split()[1]) for post in page_posts]


def test_pages_run_newest_first_between_cursors_and_the_clock() -> None:
    posts = timeline(10)
    keys = [post.key for post in posts.posts()]
    until = visible_key(START + timedelta(minutes=7))
    page = posts.page("all", None, until=until, limit=3)
    assert minutes(page.posts) == [7, 6, 5] and page.more
    page = posts.page("all", None, until=until, below=keys[5], limit=3)
    assert minutes(page.posts) == [4, 3, 2] and page.more
    page = posts.page("all", None, until=until, above=keys[2], below=keys[5], limit=3)
    assert minutes(page.posts) == [4, 3] and not page.more
    page = posts.page("all", None, until=until, above=keys[1], limit=2, nearest=True)
    assert minutes(page.posts) == [3, 2] and page.more


def test_overlap_repeats_what_the_client_read_last() -> None:
    posts = timeline(10)
    keys = [post.key for post in posts.posts()]
    until = visible_key(START + timedelta(hours=1))
    assert minutes(
        posts.page("all", None, until=until, below=keys[6], limit=3, overlap=2).posts
    ) == [7, 6, 5]
    assert minutes(
        posts.page("all", None, until=until, above=keys[6], limit=5, overlap=2).posts
    ) == [9, 8, 7, 6, 5]


def test_views_keep_up_with_new_posts() -> None:
    posts = timeline(10)
    until = visible_key(START + timedelta(hours=1))
    even = posts.page(
        "even", lambda post: int(post.text.split()[1]) % 2 == 0, until=until, limit=10
    )
    assert minutes(even.posts) == [8, 6, 4, 2, 0]
    key, external_id = posts.mint(START + timedelta(minutes=30))
    posts.add(Post(Channel.X, key, external_id, START + timedelta(minutes=30), AUTHOR, "post 30"))
    again = posts.page("even", lambda post: False, until=until, limit=2)  # the cached view answers
    assert minutes(again.posts) == [30, 8] and posts.by_id(external_id) is not None


def test_ids_follow_time_on_every_channel() -> None:
    early, late = (
        Timeline(Channel.REDDIT).mint(START),
        Timeline(Channel.REDDIT).mint(START + timedelta(seconds=1)),
    )
    assert early[0] < late[0] and early[1] == base36(early[0]) == post_id(Channel.REDDIT, early[0])
    assert post_id(Channel.X, early[0]) == str(early[0]) and int(early[1], 36) == early[0]
