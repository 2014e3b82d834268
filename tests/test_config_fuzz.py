"""Fuzzing the config loader: whatever a `socialcx.toml` holds, loading it gives settings or a
`ConfigError` naming the file, never another exception or a stack trace."""

from __future__ import annotations

import json
import math
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcx import ConfigError, load_settings
from socialcx.config import SANDBOX_SECRETS, Settings, example_config, sandbox_config, sandbox_secrets
from tests.documents import damaged, field_names, model_documents, nested, texts_changed, values_changed

_KEYS = field_names(Settings) | st.text(max_size=12)
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    """A TOML value; mappings are written inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _toml(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    """A TOML document: plain keys first, then `[tables]` and `[[arrays of tables]]`."""
    out = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict) and not _is_tables(v)]
    for k, v in data.items():
        name = ".".join(_key(part) for part in (*prefix, k))
        if isinstance(v, dict):
            out += [f"[{name}]", _toml(v, (*prefix, k))]
        elif _is_tables(v):
            for item in v:
                out += [f"[[{name}]]", _toml(item, (*prefix, k))]
    return "\n".join(out)


def _loads_or_names_the_file(path: Path, text: str) -> None:
    """Loading gives settings, or a ConfigError naming the config file (or the secrets file it
    names, when that is what cannot be read)."""
    path.write_text(text, encoding="utf-8")
    (path.parent / SANDBOX_SECRETS).write_text(sandbox_secrets(), encoding="utf-8")
    try:
        loaded = load_settings(path)
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith(str(path)) or f"(or {path})" in message or "the secrets file" in message, message
        assert "Traceback" not in message and "errors.pydantic.dev" not in message, message
    else:
        assert isinstance(loaded, Settings)


@_FUZZ
@given(document=model_documents(Settings, _KEYS).flatmap(lambda data: damaged(_toml(data)) | st.just(_toml(data))))
def test_any_settings_shaped_document_loads_or_is_a_config_error(tmp_path: Path, document: str) -> None:
    _loads_or_names_the_file(tmp_path / "socialcx.toml", document)


@_FUZZ
@given(document=damaged(example_config()) | st.text(max_size=200) | nested("data_dir", " ="))
def test_a_damaged_example_or_any_text_loads_or_is_a_config_error(tmp_path: Path, document: str) -> None:
    _loads_or_names_the_file(tmp_path / "socialcx.toml", document)


@settings(_FUZZ, max_examples=600)
@given(data=st.sampled_from([example_config(), sandbox_config()]).flatmap(lambda text: values_changed(tomllib.loads(text), _KEYS)))
def test_a_valid_config_with_a_value_changed_loads_or_is_a_config_error(tmp_path: Path, data: dict[str, Any]) -> None:
    _loads_or_names_the_file(tmp_path / "socialcx.toml", _toml(data))


@_FUZZ
@given(data=st.sampled_from([example_config(), sandbox_config()]).flatmap(lambda text: texts_changed(tomllib.loads(text))))
def test_any_text_in_any_text_setting_loads_or_is_a_config_error(tmp_path: Path, data: dict[str, Any]) -> None:
    _loads_or_names_the_file(tmp_path / "socialcx.toml", _toml(data))


def test_a_nul_in_a_path_setting_names_the_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "socialcx.toml"
    path.write_text('data_dir = "data"\nplaybook = "a\\u0000b.yaml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"socialcx.toml:2: playbook = 'a\\x00b.yaml': expected a file path, found a NUL"):
        load_settings(path)


def test_a_config_nested_thousands_deep_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "socialcx.toml"
    path.write_text("data_dir = " + "[" * 2000 + "]" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"socialcx.toml: arrays or tables nested too deeply"):
        load_settings(path)
