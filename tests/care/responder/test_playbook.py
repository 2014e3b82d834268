"""The playbook: validated with errors that name the file, the line and the fix; defaults shared
by every intent; the shipped one in shadow mode; and `socialcx playbook check`."""

from __future__ import annotations

import re
import time

import pytest
from typer.testing import CliRunner

from socialcx.care.playbook import DEFAULT_PLAYBOOK, load_playbook, playbook_for
from socialcx.channels import Channel
from socialcx.cli import app
from socialcx.config import load_settings
from socialcx.errors import ConfigError
from tests.care.responder.conftest import PLAYBOOK


def test_the_shipped_playbook_drafts_every_intent_it_knows(settings):
    playbook = playbook_for(settings)

    assert playbook.source == DEFAULT_PLAYBOOK
    assert playbook.intents and all(rules.mode == "draft" for rules in playbook.intents.values())
    assert not any(rules.answers for rules in playbook.intents.values())


def test_defaults_apply_to_every_intent_unless_it_overrides_them(write_playbook):
    playbook = write_playbook(PLAYBOOK.replace("    mode: draft", "    min_confidence: 0.95\n    mode: off"))

    assert playbook.intents["order_status"].min_confidence == 0.8
    assert playbook.intents["store_info"].min_confidence == 0.95
    assert playbook.intents["store_info"].mode == "off"  # a bare `off` is YAML's false
    assert playbook.intents["order_status"].per_author.hour == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("    mode: auto", "    mode: always"), r"playbook.yaml:13: intents.order_status.mode = 'always': expected 'auto', 'draft' or 'off'"),
        (("  min_confidence: 0.8", "  min_confidence: 1.8"), r"playbook.yaml:7: intents.order_status.min_confidence = 1.8: .*less than or equal to 1"),
        (("max_turns: 1", "max_turn: 1"), r"playbook.yaml:4: max_turn: unknown key 'max_turn'"),
        (("{order_link}\"\n      - ", "{order_lnk}\"\n      - "), r"playbook.yaml:15: intents.order_status.templates\[0\]: unknown variable \{order_lnk\}; define it under variables:"),
        (("  store_info:", "  shop_info:"), r"playbook.yaml:17: intents.shop_info: unknown intent; expected one of the taxonomy's: order_status"),
        (("channels: [x, reddit", "channels: [x, myspace"), r"playbook.yaml:8: intents.order_status.channels\[1\] = 'myspace'"),
        (("    mode: draft\n    templates:\n      - \"Hi @{author}, we're open 9 to 6.\"\n", "    mode: auto\n"), r"playbook.yaml:17: intents.store_info: mode auto needs at least one template"),
        (("caps: {hour: 100", "caps: {hour: -1"), r"playbook.yaml:5: caps.hour = -1"),
        (("variables:", "variables: ["), r"playbook.yaml:\d+: not valid YAML"),
    ],
    ids=["mode", "confidence", "unknown-key", "template-variable", "intent", "channel", "auto-without-templates", "caps", "yaml"],
)
def test_a_mistake_is_reported_with_its_file_line_and_fix(write_playbook, change, message):
    old, new = change
    assert old in PLAYBOOK
    with pytest.raises(ConfigError, match=message):
        write_playbook(PLAYBOOK.replace(old, new, 1))


def test_a_template_may_use_the_actions_answer_only_when_the_intent_has_an_action(write_playbook):
    with pytest.raises(ConfigError, match=r"unknown variable \{action\}; give the intent an action: first"):
        write_playbook(PLAYBOOK.replace("{order_link}\"\n      - ", "{action.eta}\"\n      - ", 1))


def test_a_quiet_hours_time_zone_must_exist(write_playbook):
    text = PLAYBOOK.replace("  min_confidence: 0.8", '  min_confidence: 0.8\n  quiet_hours: {start: "22:00", end: "07:00", timezone: Mars/Olympus}')
    with pytest.raises(ConfigError, match=r"playbook.yaml:8: intents.order_status.quiet_hours.timezone = 'Mars/Olympus': expected an IANA time zone"):
        write_playbook(text)


def test_a_playbook_is_named_relative_to_the_config_file(tmp_path):
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "socialcx.toml").write_text('playbook = "replies.yaml"\n', encoding="utf-8")
    (tmp_path / "team" / "replies.yaml").write_text(PLAYBOOK, encoding="utf-8")

    settings = load_settings(tmp_path / "team" / "socialcx.toml")

    assert playbook_for(settings).intents["order_status"].mode == "auto"


def test_a_missing_playbook_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError, match=r"replies.yaml: playbook not found; run `socialcx playbook init"):
        load_playbook(tmp_path / "replies.yaml")


def test_a_reply_is_refused_when_too_long_for_the_channel_never_cut(write_playbook):
    playbook = write_playbook(PLAYBOOK.replace("https://acme.example/orders", "https://acme.example/" + "o" * 300))

    on_x = playbook.render("order_status", Channel.X, "1", "sam")
    on_reddit = playbook.render("order_status", Channel.REDDIT, "1", "sam")

    assert on_x.text is None and "over x's limit of 280" in on_x.problem
    assert on_reddit.text is not None and on_reddit.text.endswith("o" * 300)


def test_playbook_check_shows_what_is_answered_drafted_and_left_to_people(tmp_path, write_playbook):
    write_playbook()
    result = CliRunner().invoke(app, ["playbook", "check", "--file", str(tmp_path / "playbook.yaml")], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 3}
    assert "answered automatically" in lines["order_status"] and "x, reddit, mastodon, bluesky" in lines["order_status"]
    assert "drafted for approval" in lines["store_info"]
    assert "left to people" in lines["billing_problem"]


def test_playbook_check_reports_a_broken_playbook_in_one_line(tmp_path, write_playbook):
    (tmp_path / "playbook.yaml").write_text(PLAYBOOK.replace("mode: auto", "mode: sometimes"), encoding="utf-8")

    result = CliRunner().invoke(app, ["playbook", "check", "--file", str(tmp_path / "playbook.yaml")])

    assert result.exit_code == 1
    assert "playbook.yaml:13: intents.order_status.mode = 'sometimes'" in result.output


def test_playbook_init_writes_the_shadow_mode_playbook(tmp_path):
    result = CliRunner().invoke(app, ["playbook", "init", str(tmp_path / "playbook.yaml")])

    assert result.exit_code == 0, result.output
    assert load_playbook(tmp_path / "playbook.yaml").intents == load_playbook(DEFAULT_PLAYBOOK).intents
    again = CliRunner().invoke(app, ["playbook", "init", str(tmp_path / "playbook.yaml")])
    assert again.exit_code == 1 and "already exists" in again.output


BILLION_LAUGHS = PLAYBOOK + "\n".join(
    ['laughs:', '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"  {chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]" for n in range(8)]
) + "\n"


def test_a_playbook_with_yaml_aliases_is_refused_at_once_naming_the_line_and_the_fix(tmp_path):
    (tmp_path / "playbook.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.perf_counter()

    with pytest.raises(ConfigError) as refused:
        load_playbook(tmp_path / "playbook.yaml")

    assert time.perf_counter() - started < 1
    assert re.fullmatch(r".*playbook\.yaml:23: YAML aliases are not allowed in a playbook \(\*a\); write the value out.*", str(refused.value))


def test_playbook_check_refuses_yaml_aliases_in_one_line_without_hanging(tmp_path):
    (tmp_path / "playbook.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.perf_counter()

    result = CliRunner().invoke(app, ["playbook", "check", "--file", str(tmp_path / "playbook.yaml")], env={"COLUMNS": "400"})

    assert time.perf_counter() - started < 2
    assert result.exit_code == 1
    assert "playbook.yaml:23: YAML aliases are not allowed" in result.output and len(result.output.strip().splitlines()) == 1
