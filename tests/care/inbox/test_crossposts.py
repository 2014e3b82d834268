"""Cross-posts: the same person saying the same on two channels, or posts sharing one page, are
one conversation in the inbox, answered once; every original is kept."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from socialcx.care.crossposts import author_key, links_of, same_words
from socialcx.care.inbox import enqueue, find_item, ignore, list_items, reply, resolve
from socialcx.store import InboxItem, OutboxReply
from tests.care.inbox.conftest import add_mention

MIRRORED = "Your app logged me out again and now the checkout page just spins forever. Fix it please"


def _statuses(db) -> dict[int, str]:
    return dict(db.execute(sa.select(InboxItem.mention_id, InboxItem.status)).all())


def test_a_post_mirrored_to_another_channel_is_listed_once_and_answered_once(db, clock):
    first = add_mention(db, posted=clock.now(), channel="mastodon", author="@jess_m@mastodon.social", text=MIRRORED)
    mirror = add_mention(
        db, posted=clock.now(), channel="x", author="@Jess_M", text=f"{MIRRORED} @acme https://t.co/abc"
    )
    for mention_id in (first, mirror):
        enqueue(db, mention_id, reason="needs a human", now=clock.now())

    [entry] = list_items(db)
    assert (entry.mention_id, entry.copies) == (first, 1)
    assert {post.mention_id for post in find_item(db, first).thread} >= {first, mirror}

    reply(db, first, "So sorry, Jess: we are on it.", agent="maya", now=clock.now())

    assert _statuses(db) == {first: "replied", mirror: "resolved"}
    assert db.execute(sa.select(sa.func.count()).select_from(OutboxReply)).scalar_one() == 1  # one answer
    assert list_items(db) == []


def test_a_blog_post_shared_on_hacker_news_and_reddit_is_one_conversation(db, clock):
    blog = add_mention(
        db, posted=clock.now(), channel="rss", author="janedoe", text="Why I left Acme after ten years",
        url="https://www.janedoe.dev/posts/leaving-acme/?utm_source=rss",
    )
    hn = add_mention(db, posted=clock.now(), channel="hackernews", author="pg_fan", text="Leaving Acme https://janedoe.dev/posts/leaving-acme")
    other = add_mention(db, posted=clock.now(), channel="reddit", author="someone", text="Acme support is great https://acme.com/help")
    for mention_id in (blog, hn, other):
        enqueue(db, mention_id, reason="needs a human", now=clock.now())

    listed = {entry.mention_id: entry.copies for entry in list_items(db)}
    assert listed == {blog: 1, other: 0}

    resolve(db, blog, agent="maya", now=clock.now())
    assert _statuses(db) == {blog: "resolved", hn: "resolved", other: "open"}


def test_different_people_or_different_words_stay_apart(db, clock):
    first = add_mention(db, posted=clock.now(), author="@jess", text=MIRRORED)
    someone_else = add_mention(db, posted=clock.now(), channel="bluesky", author="@dan.bsky.social", text=MIRRORED)
    new_words = add_mention(db, posted=clock.now(), channel="mastodon", author="@jess", text="Refund still missing after two weeks")
    stale = add_mention(db, posted=clock.now(), channel="bluesky", author="@jess.bsky.social", text=MIRRORED)
    for mention_id in (first, someone_else, new_words):
        enqueue(db, mention_id, reason="needs a human", now=clock.now())
    enqueue(db, stale, reason="needs a human", now=clock.now() + timedelta(days=4))  # long after: a new conversation

    assert {entry.mention_id for entry in list_items(db)} == {first, someone_else, new_words, stale}


def test_ignoring_spam_ignores_its_cross_posts(db, clock):
    spam = "Buy followers cheap now at our shop, best prices guaranteed today only"
    first = add_mention(db, posted=clock.now(), author="@spammer", text=spam, intent="spam")
    again = add_mention(db, posted=clock.now(), channel="reddit", author="u/spammer", text=spam, intent="spam")
    for mention_id in (first, again):
        enqueue(db, mention_id, reason="needs a human", now=clock.now())

    ignore(db, [first], agent="maya")

    assert _statuses(db) == {first: "ignored", again: "ignored"}


def test_links_are_compared_without_tracking_or_decoration():
    assert links_of("read https://www.example.com/a/?utm_source=x&id=3#top.") == {"example.com/a?id=3"}
    assert links_of("via https://t.co/xyz and https://news.ycombinator.com/item?id=1") == set()
    assert links_of("no links", "https://blog.example.com/p/1", own_page=True) == {"blog.example.com/p/1"}
    assert [author_key(h) for h in ("@Jess_M", "jess_m.bsky.social", "jess_m@mastodon.social", "u/jess_m", "", None)] == [
        "jess_m", "jess_m", "jess_m", "jess_m", None, None,
    ]


@given(st.text(max_size=400), st.one_of(st.none(), st.text(max_size=200)))
def test_link_and_author_parsing_never_fail_on_anything(text, url):
    found = links_of(text, url, own_page=True)
    assert all(isinstance(link, str) and link for link in found)
    assert author_key(url) is None or author_key(url) == author_key(url).lower()


@given(st.text(max_size=300), st.text(max_size=300))
def test_similarity_is_symmetric(a, b):
    assert same_words(a, b) == same_words(b, a)


@given(st.lists(st.sampled_from(["order", "late", "refund", "acme", "again", "why"]), min_size=3, max_size=30))
def test_a_text_says_the_same_as_itself(words):
    text = " ".join(words)
    assert same_words(text, text) and same_words(text, f"@acme {text} https://t.co/x #acme")
