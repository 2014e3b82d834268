"""Configuration: found in the documented places, overridable from the environment, and a bad
config fails before anything runs with the file, line, key, what was found and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcx import Channel, ConfigError, load_settings
from socialcx.config import example_config


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """\
[[watches]]
name = "acme"
keywords = ["acme"]
"""


def test_the_example_config_is_valid_as_it_stands(tmp_path):
    settings = load_settings(write(tmp_path / "socialcx.toml", example_config()))

    assert [watch.name for watch in settings.watches] == ["acme"]
    assert settings.channels.enabled() == []  # every real channel waits for its credentials
    for channel in Channel:
        assert settings.channels.get(channel) is not None
    assert settings.database == f"sqlite:///{tmp_path / 'socialcx.db'}"


def test_without_a_config_file_the_defaults_apply(tmp_path):
    settings = load_settings()

    assert settings.watches == []
    assert settings.database == f"sqlite:///{tmp_path / 'socialcx.db'}"


def test_the_config_is_found_from_the_flag_then_the_environment_then_the_folder(tmp_path, monkeypatch):
    write(tmp_path / "socialcx.toml", MINIMAL)
    write(tmp_path / "env.toml", MINIMAL.replace("acme", "from-env"))
    write(tmp_path / "flag.toml", MINIMAL.replace("acme", "from-flag"))

    assert load_settings().watches[0].name == "acme"
    monkeypatch.setenv("SOCIALCX_CONFIG", str(tmp_path / "env.toml"))
    assert load_settings().watches[0].name == "from-env"
    assert load_settings(tmp_path / "flag.toml").watches[0].name == "from-flag"


def test_environment_variables_override_the_file(tmp_path, monkeypatch):
    path = write(tmp_path / "c.toml", MINIMAL + '\n[mail]\nhost = "smtp.file"\nport = 25\n')
    monkeypatch.setenv("SOCIALCX_DATABASE_URL", "postgresql+psycopg://db.example/socialcx")
    monkeypatch.setenv("SOCIALCX_MAIL__PORT", "2525")

    settings = load_settings(path)

    assert settings.database == "postgresql+psycopg://db.example/socialcx"
    assert (settings.mail.host, settings.mail.port) == ("smtp.file", 2525)


def test_data_dir_is_relative_to_the_config_file(tmp_path):
    (tmp_path / "conf").mkdir()
    settings = load_settings(write(tmp_path / "conf" / "c.toml", 'data_dir = "../var"\n' + MINIMAL))

    assert settings.data_dir == tmp_path / "var"
    assert settings.database == f"sqlite:///{tmp_path / 'var' / 'socialcx.db'}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            MINIMAL + "\n[mail]\nhost = 'x'\ncolour = 'blue'\n",
            r"c\.toml:7: unknown key 'colour'; expected one of: host, port, security",
            id="unknown key",
        ),
        pytest.param(
            MINIMAL + "\n[channels.twitter]\nenabled = true\n",
            r"c\.toml:5: unknown key 'twitter'; expected one of: x, reddit, mastodon",
            id="unknown channel",
        ),
        pytest.param(
            MINIMAL + "\n[mail]\nport = 'twenty-five'\n",
            r"c\.toml:6: mail\.port = 'twenty-five': expected a valid integer",
            id="wrong type",
        ),
        pytest.param(
            MINIMAL + "\n[channels.x]\npoll_interval_seconds = 1\n",
            r"c\.toml:6: channels\.x\.poll_interval_seconds = 1: expected greater than or equal to 10",
            id="out of range",
        ),
        pytest.param(
            MINIMAL + '\n[[watches]]\nname = "empty"\nchannels = ["x"]\n',
            r"c\.toml:5: watches\[1\]: a watch needs at least one of handles, keywords",
            id="watch with no terms",
        ),
        pytest.param(
            '[[watches]]\nname = "acme"\nkeywords = ["acme"]\nchannels = ["x", "myspace"]\n',
            r"c\.toml:4: watches\[0\]\.channels\[1\] = 'myspace': expected 'x', 'reddit'",
            id="unknown channel in watch",
        ),
        pytest.param(
            MINIMAL + MINIMAL,
            r"watch names must be unique; repeated: acme",
            id="repeated watch",
        ),
        pytest.param(
            MINIMAL + "\n[mail\nhost = 1\n",
            r"c\.toml: not valid TOML: .*line 5",
            id="broken toml",
        ),
    ],
)
def test_a_bad_config_names_file_line_key_found_and_expected(tmp_path, text, expected):
    path = write(tmp_path / "c.toml", text)

    with pytest.raises(ConfigError, match=expected):
        load_settings(path)


def test_a_secret_pasted_inline_is_refused_without_repeating_it(tmp_path):
    path = write(tmp_path / "c.toml", MINIMAL + '\n[channels.x]\ncredentials = { bearer_token = "AAAA%2Fsecret" }\n')

    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == (
        f"{path}:6: channels.x.credentials.bearer_token: expected the name of an environment "
        "variable that holds the secret (like X_BEARER_TOKEN), never the secret itself"
    )


def test_an_enabled_channel_needs_its_credential_variables_set(tmp_path, monkeypatch):
    path = write(
        tmp_path / "c.toml",
        MINIMAL + '\n[channels.x]\nenabled = true\ncredentials = { bearer_token = "ACME_X_TOKEN" }\n',
    )
    monkeypatch.delenv("ACME_X_TOKEN", raising=False)

    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == (
        f"{path}:7: channels.x.credentials.bearer_token names the environment variable "
        "ACME_X_TOKEN, which is not set; export it (or add it to the secrets file), "
        "or set enabled = false for [channels.x]"
    )

    monkeypatch.setenv("ACME_X_TOKEN", "secret-value")
    settings = load_settings(path)
    assert settings.secret("ACME_X_TOKEN") == "secret-value"
    assert "secret-value" not in repr(settings)


def test_credentials_can_come_from_the_secrets_file(tmp_path, monkeypatch):
    monkeypatch.delenv("ACME_X_TOKEN", raising=False)
    write(tmp_path / "secrets.env", "# team secrets\nexport ACME_X_TOKEN='from-file'\n")
    path = write(
        tmp_path / "c.toml",
        'secrets_file = "secrets.env"\n' + MINIMAL
        + '\n[channels.x]\nenabled = true\ncredentials = { bearer_token = "ACME_X_TOKEN" }\n',
    )

    assert load_settings(path).secret("ACME_X_TOKEN") == "from-file"


def test_a_bad_environment_override_names_the_variable(tmp_path, monkeypatch):
    path = write(tmp_path / "c.toml", MINIMAL)
    monkeypatch.setenv("SOCIALCX_MAIL__PORT", "lots")

    with pytest.raises(ConfigError, match=r"environment variable SOCIALCX_MAIL__PORT .*mail\.port = 'lots'"):
        load_settings(path)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(lambda p: None, "config file not found; run `socialcx init", id="missing"),
        pytest.param(lambda p: p.mkdir(), "is a folder, expected a TOML config file", id="folder"),
        pytest.param(lambda p: p.write_bytes(b"name = '\xff\xfe'"), "not UTF-8 text", id="not utf-8"),
    ],
)
def test_an_unreadable_config_file_is_a_clear_error(tmp_path, make, expected):
    path = tmp_path / "socialcx.toml"
    make(path)

    with pytest.raises(ConfigError, match=expected):
        load_settings(path)


def test_a_named_config_that_is_missing_is_an_error_even_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALCX_CONFIG", str(tmp_path / "nope.toml"))

    with pytest.raises(ConfigError, match="nope.toml: config file not found"):
        load_settings()
