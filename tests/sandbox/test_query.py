"""The search language: words on word boundaries, phrases, OR, negation, groups and operators."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialcx.channels import Channel
from socialcx.sandbox.posts import Author, Post
from socialcx.sandbox.query import QueryError, compile_query

TEXTS = [
    "@acme where is my order?",
    "love #acme so much",
    "acme store in Leeds",
    "acmecorp is not us",
    "Order status please, ACME",
]
POSTS = [
    Post(
        Channel.X,
        index,
        str(index),
        datetime(2026, 11, 23, tzinfo=UTC),
        Author("1", "jess", "Jess", 1),
        text,
    )
    for index, text in enumerate(TEXTS)
]
OPERATORS = {"from": lambda value: lambda post: post.author.handle == value}


def found(query: str, *, strict: bool = True) -> list[int]:
    match = compile_query(query, OPERATORS, text=lambda post: post.text, strict=strict)
    return [post.key for post in POSTS if match(post)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("acme", [0, 1, 2, 4]),
        ("@acme", [0]),
        ("#acme", [1]),
        ("order", [0, 4]),
        ('"order status"', [4]),
        ("acme -order", [1, 2]),
        ("acme NOT order", [1, 2]),
        ("leeds OR acmecorp", [2, 3]),
        ("(leeds OR love) acme", [1, 2]),
        ("-(leeds OR love) AND acme", [0, 4]),
        ("from:jess leeds", [2]),
        ("from:someone", []),
    ],
)
def test_queries_find_what_the_platforms_would(query: str, expected: list[int]) -> None:
    assert found(query) == expected


@pytest.mark.parametrize(
    "query", ["", "   ", "(acme", "acme)", '"open phrase', "acme OR", "nope:thing", '""']
)
def test_unreadable_queries_are_refused(query: str) -> None:
    with pytest.raises(QueryError):
        found(query)


def test_unknown_operators_are_words_when_not_strict() -> None:
    assert found("nope:thing", strict=False) == []
    assert found("https://example.com", strict=True) == []
