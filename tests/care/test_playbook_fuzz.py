"""Fuzzing the playbook loader, its `policy:` and `incidents:` sections included: whatever the
YAML holds, loading it gives a playbook or a `ConfigError` naming the file, never another
exception or a stack trace."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcx.care.playbook import Playbook, default_playbook_text, load_playbook
from socialcx.errors import ConfigError
from tests.care.responder.conftest import PLAYBOOK
from tests.documents import damaged, field_names, model_documents, nested, texts_changed, values_changed

_KEYS = field_names(Playbook) | st.sampled_from(["defaults", "templates", "statement"]) | st.text(max_size=12) | st.integers() | st.none()
_BASES = [yaml.safe_load(default_playbook_text()), yaml.safe_load(PLAYBOOK)]
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _plain(value: Any) -> Any:
    """`value` with times written as text, which YAML's safe dumper cannot represent."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, time) or (isinstance(value, date) and value.year < 1000):
        return value.isoformat()
    return value


def _yaml(data: Any) -> str:
    return yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False)


def _loads_or_names_the_file(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    try:
        loaded = load_playbook(path)
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith(f"{path}:"), message
        assert "Traceback" not in message and "errors.pydantic.dev" not in message, message
    else:
        assert isinstance(loaded, Playbook) and loaded.source == path


@_FUZZ
@given(document=model_documents(Playbook, _KEYS).flatmap(lambda data: damaged(_yaml(data)) | st.just(_yaml(data))))
def test_any_playbook_shaped_document_loads_or_is_a_config_error(tmp_path: Path, document: str) -> None:
    _loads_or_names_the_file(tmp_path / "playbook.yaml", document)


@settings(_FUZZ, max_examples=400)
@given(data=st.sampled_from(_BASES).flatmap(lambda data: values_changed(data, _KEYS)))
def test_a_valid_playbook_with_a_value_changed_loads_or_is_a_config_error(tmp_path: Path, data: dict[Any, Any]) -> None:
    _loads_or_names_the_file(tmp_path / "playbook.yaml", _yaml(data))


@_FUZZ
@given(data=st.sampled_from(_BASES).flatmap(texts_changed))
def test_any_text_in_any_text_value_loads_or_is_a_config_error(tmp_path: Path, data: dict[Any, Any]) -> None:
    _loads_or_names_the_file(tmp_path / "playbook.yaml", _yaml(data))


@settings(_FUZZ, max_examples=100)  # parsing YAML nested a thousand deep takes a while
@given(document=damaged(default_playbook_text()) | st.text(max_size=200) | nested("variables", ":"))
def test_a_damaged_shipped_playbook_or_any_text_loads_or_is_a_config_error(tmp_path: Path, document: str) -> None:
    _loads_or_names_the_file(tmp_path / "playbook.yaml", document)


def test_a_key_yaml_reads_as_a_number_names_the_file_line_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "playbook.yaml"
    path.write_text("intents: {}\n1: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"playbook.yaml:2: the playbook: the key 1 is not text; quote it or remove it"):
        load_playbook(path)


def test_a_playbook_nested_thousands_deep_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "playbook.yaml"
    path.write_text("variables: " + "[" * 2000 + "]" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"playbook.yaml: lists or mappings nested too deeply"):
        load_playbook(path)
