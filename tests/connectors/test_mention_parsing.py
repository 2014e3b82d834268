"""What the Mastodon and Reddit connectors make of a public post as the platform sent it: any
JSON at all (and, for Mastodon, the datetimes Mastodon.py parses) becomes a `Mention`, a `Rejected`
with a reason, or for Reddit None for a deleted post, and never an exception that would lose the
rest of the page."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from connectors import mastodon, reddit
from socialcx.mention import Mention, Rejected
from tests.connectors.test_private_parsing import JSON, fields

WHEN = st.datetimes(timezones=st.just(UTC)) | JSON
ACCOUNT = fields("id", "acct", "username", "display_name", "followers_count")


@given(
    status=st.fixed_dictionaries(
        {},
        optional={
            "id": JSON,
            "created_at": WHEN,
            "account": ACCOUNT,
            "content": JSON,
            "url": JSON,
            "uri": JSON,
            "language": JSON,
            "in_reply_to_id": JSON,
        },
    )
    | JSON
)
def test_any_mastodon_status_is_a_mention_or_rejected(status) -> None:
    assert isinstance(mastodon._mention(status), Mention | Rejected)


@given(
    child=fields("kind", "data"),
    kind=st.sampled_from(["t1", "t3"]) | JSON,
    data=fields("name", "author", "author_fullname", "created_utc", "body", "title", "selftext",
                "permalink", "context", "link_id", "parent_id"),
)
def test_any_reddit_thing_is_a_mention_rejected_or_gone(child, kind, data) -> None:
    for thing in (child, {"kind": kind, "data": data}):
        assert isinstance(reddit._mention(thing), Mention | Rejected | None)


def test_a_mastodon_account_that_is_a_list_is_rejected_with_the_status_id() -> None:
    status = {"id": "7", "created_at": datetime(2026, 12, 3, 10, tzinfo=UTC), "account": ["jess"], "content": "hi"}

    item = mastodon._mention(status)

    assert isinstance(item, Rejected) and item.external_id == "7" and "account" in item.reason


def test_a_reddit_comment_whose_name_is_a_list_is_rejected() -> None:
    child = {"kind": "t1", "data": {"name": ["t1_a"], "author": "jess", "created_utc": 1.0, "body": "hi"}}

    item = reddit._mention(child)

    assert isinstance(item, Rejected) and "name" in item.reason
