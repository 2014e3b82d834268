"""The search language both route sets understand: the common core of X's and Reddit's.

Words, "quoted phrases", `OR`, negation with `-` or `NOT`, `(groups)`, `AND` (implicit anyway),
and `name:value` operators that each platform defines. A word matches whole words of the text,
case-insensitively; a plain word also matches its hashtag and mention (`acme` finds `#acme` and
`@acme`), while `@acme` and `#acme` match only themselves.

    >>> match = compile_query('(@acme OR acme) -spam "order status"', {}, text=lambda p: p.text)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from socialcx.sandbox.posts import Post, Predicate

__all__ = ["Operator", "QueryError", "compile_query", "word_pattern"]

Operator = Callable[[str], Predicate]

_TOKEN = re.compile(
    r'\s*(?:(?P<open>-?\()|(?P<close>\))|(?P<phrase>-?"[^"]*"?)|(?P<word>[^\s()"]+))'
)
_OPERATOR = re.compile(r"^(?P<name>[a-z_]+):(?P<value>(?!//).+)$")


class QueryError(ValueError):
    """A query the platform would refuse; the message says what is wrong with it."""


def word_pattern(term: str) -> re.Pattern[str]:
    """A case-insensitive pattern for a word or phrase, on word boundaries."""
    prefix = "" if term[:1] in "@#" else "[#@]?"
    body = r"\s+".join(re.escape(part) for part in term.split())
    return re.compile(rf"(?<![\w#@]){prefix}{body}(?!\w)", re.IGNORECASE)


def compile_query(
    query: str,
    operators: Mapping[str, Operator],
    *,
    text: Callable[[Post], str],
    strict: bool = True,
) -> Predicate:
    """A predicate for the posts `query` finds; `text` gives the searchable text of a post.

    With `strict`, an unknown `name:` operator is an error (X); without, it is searched as a word
    (Reddit). Raises QueryError for a query that cannot be parsed.
    """
    tokens = list(_TOKEN.finditer(query))  # every character but spaces belongs to some token
    if not tokens:
        raise QueryError("the query is empty")
    parser = _Parser(tokens, operators, text, strict)
    predicate = parser.any_of()
    if parser.position < len(tokens):
        raise QueryError(
            f"unexpected {tokens[parser.position].group().strip()!r} in query {query!r}"
        )
    return predicate


class _Parser:
    """Recursive descent over the tokens: any_of := all_of (OR all_of)*; all_of := term+."""

    def __init__(
        self,
        tokens: list[re.Match[str]],
        operators: Mapping[str, Operator],
        text: Callable[[Post], str],
        strict: bool,
    ) -> None:
        self.tokens = tokens
        self.position = 0
        self.operators = operators
        self.text = text
        self.strict = strict

    def _peek(self) -> re.Match[str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def any_of(self) -> Predicate:
        options = [self.all_of()]
        while (token := self._peek()) is not None and token.group("word") == "OR":
            self.position += 1
            options.append(self.all_of())
        return (
            options[0]
            if len(options) == 1
            else (lambda post: any(option(post) for option in options))
        )

    def all_of(self) -> Predicate:
        terms: list[Predicate] = []
        while (
            (token := self._peek()) is not None
            and not token.group("close")
            and token.group("word") != "OR"
        ):
            terms.append(self.term())
        if not terms:
            raise QueryError("a query part is empty (check OR and parentheses)")
        return terms[0] if len(terms) == 1 else (lambda post: all(term(post) for term in terms))

    def term(self) -> Predicate:
        token = self.tokens[self.position]
        self.position += 1
        word = token.group("word")
        if word in ("AND", "NOT"):
            if self._peek() is None:
                raise QueryError(f"{word} needs something after it")
            inner = self.term()
            return inner if word == "AND" else (lambda post: not inner(post))
        raw = token.group("open") or token.group("phrase") or word
        negated = raw.startswith("-") and len(raw) > 1
        raw = raw[1:] if negated else raw
        if token.group("open"):
            predicate = self.any_of()
            closing = self._peek()
            if closing is None or not closing.group("close"):
                raise QueryError("a parenthesis is not closed")
            self.position += 1
        elif token.group("close"):
            raise QueryError("a parenthesis closes nothing")
        elif token.group("phrase"):
            if len(raw) < 2 or not raw.endswith('"'):
                raise QueryError("a quoted phrase is not closed")
            predicate = self._words(raw[1:-1])
        else:
            predicate = self._word(raw)
        return (lambda post: not predicate(post)) if negated else predicate

    def _word(self, word: str) -> Predicate:
        if operator := _OPERATOR.match(word):
            name, value = operator.group("name"), operator.group("value")
            if name in self.operators:
                return self.operators[name](value)
            if self.strict:
                raise QueryError(f"Reference to invalid operator '{name}'")
        return self._words(word)

    def _words(self, words: str) -> Predicate:
        if not words.strip():
            raise QueryError("a quoted phrase is empty")
        pattern, text = word_pattern(words), self.text
        return lambda post: pattern.search(text(post)) is not None
