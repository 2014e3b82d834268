"""Hypothesis strategies for fuzzing the config and playbook loaders: documents shaped like a
settings model (its real keys, nested to its depth) whose values are wrong types, huge numbers,
unicode and nested junk, with unknown keys mixed in, plus line-level damage to the written text."""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

_TEXT = st.text(max_size=24)
# Values some fields accept, so that documents get past the first check and reach the later ones.
_PLAUSIBLE = st.sampled_from([
    "x", "reddit", "mastodon", "bluesky", "auto", "draft", "off", "approve", "none", "ssl",
    "https://a.example", "Mon-Fri 09:00-17:00", "Europe/London", "Mars/Base", "10.0.0.0/8",
    "X_TOKEN", "acme", "order_status", "refund", "{author}", "Hi {author} {nope}", "{", "}{", "{}",
    "12.345", "0", "", " ", "a\x00b", "../..", "/",
])
_SCALARS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-(2**64), max_value=2**70),
    st.floats(),
    st.booleans(),
    _TEXT,
    _PLAUSIBLE,
    st.dates(),
    st.times(),
)
JUNK = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT | _PLAUSIBLE, inner, max_size=3),
    max_leaves=8,
)


def model_documents(model: type[BaseModel], keys: st.SearchStrategy[Any] = _TEXT) -> st.SearchStrategy[dict[Any, Any]]:
    """Mappings with some of `model`'s fields (each a well-shaped sub-document or junk) and
    sometimes unknown `keys`."""
    fields = {name: _for(field.annotation, keys) for name, field in model.model_fields.items()}
    known = st.fixed_dictionaries({}, optional=fields)
    extra = st.dictionaries(keys, JUNK, max_size=2)
    return st.builds(lambda a, b: {**b, **a}, known, st.one_of(st.just({}), extra))


def field_names(model: type[BaseModel]) -> st.SearchStrategy[str]:
    """Any key `model` or the models inside it know, so that a new key is often a real one in
    the wrong place, or a real one the document left out."""
    names: set[str] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        for name, field in current.model_fields.items():
            names.add(name)
            todo += [arg for arg in _inner_types(field.annotation) if arg not in todo and issubclass(arg, BaseModel)]
    return st.sampled_from(sorted(names))


def _inner_types(annotation: Any) -> list[type]:
    """The classes an annotation names, however deeply (`list[WatchConfig] | None` gives WatchConfig)."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return [annotation]
    return [inner for arg in typing.get_args(annotation) for inner in _inner_types(arg)]


def _for(annotation: Any, keys: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Something shaped like `annotation` half the time (recursing into models, lists and
    mappings of them), junk otherwise."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _for(args[0], keys)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_for(arg, keys) for arg in args if arg is not type(None)), st.none())
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return st.deferred(lambda: model_documents(annotation, keys)) | JUNK
    if origin is list:
        return st.lists(_for(args[0], keys), max_size=3) | JUNK
    if origin is dict:
        key = _PLAUSIBLE | keys
        return st.dictionaries(key, _for(args[1], keys), max_size=3) | JUNK
    return _PLAUSIBLE | JUNK


@st.composite
def values_changed(draw: st.DrawFn, data: dict[Any, Any], keys: st.SearchStrategy[Any] = _TEXT) -> dict[Any, Any]:
    """A valid document with one or two values replaced (or keys added) by plausible or junk
    values, so that each reaches the checks after validation: most random documents stop at
    the first wrong type."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 2))):
        _put(data, draw(st.sampled_from(list(_paths(data)))), draw(keys), draw(_PLAUSIBLE | JUNK))
    return data


@st.composite
def texts_changed(draw: st.DrawFn, data: dict[Any, Any]) -> dict[Any, Any]:
    """A valid document with one of its text values replaced by any text (NUL, line and
    paragraph separators, right-to-left marks, emoji)."""
    data = copy.deepcopy(data)
    paths = [path for path in _paths(data) if path[-1] is not None and isinstance(_get(data, path), str)]
    _put(data, draw(st.sampled_from(paths)), None, draw(st.text(max_size=40) | st.just("a\x00b")))
    return data


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _put(data: Any, path: tuple[Any, ...], new_key: Any, value: Any) -> None:
    """Set the value at `path`, or under `new_key` if `path` ends in `None` (a new key)."""
    _get(data, path[:-1])[new_key if path[-1] is None else path[-1]] = value


def _paths(data: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key and list item in `data`, and each mapping's place for a new key (`None`)."""
    if isinstance(data, dict):
        yield (*here, None)
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return
    for key, value in items:
        yield (*here, key)
        yield from _paths(value, (*here, key))


@st.composite
def damaged(draw: st.DrawFn, text: str) -> str:
    """`text`, or `text` with lines repeated (duplicate keys and tables), re-indented, dropped or
    cut short, or junk characters inserted."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(0, 3))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        change = draw(st.sampled_from(["repeat", "indent", "dedent", "drop", "cut", "insert"]))
        if change == "repeat":
            lines.insert(draw(st.integers(0, len(lines))), lines[index])
        elif change == "indent":
            lines[index] = " " * draw(st.integers(1, 5)) + lines[index]
        elif change == "dedent":
            lines[index] = lines[index].lstrip()
        elif change == "drop":
            del lines[index]
        elif change == "cut":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
        else:
            junk = draw(st.sampled_from(["[", "]", "{", "}", ":", "=", "-", "&a ", "*a", "!!python/object ", "\t", '"', "'", "#", "\x00", "\u2028", "é"]))
            at = draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:at] + junk + lines[index][at:]
    return "\n".join(lines) + "\n"


def nested(key: str, separator: str) -> st.SearchStrategy[str]:
    """`key` set to arrays or inline tables nested up to thousands deep, deeper than Python's
    recursion limit (`separator` is TOML's `=` or YAML's `:`)."""
    def document(depth: int, tables: bool) -> str:
        opening, closing = (f"{{a{separator} ", "}") if tables else ("[", "]")
        return f"{key}{separator} {opening * depth}1{closing * depth}\n"

    return st.builds(document, st.integers(1, 1500), st.booleans())
