"""The playbook: which intents socialcx answers by itself, how, where, and within which limits.

A YAML file, named by `playbook = "…"` in `socialcx.toml` (the shipped default otherwise, with
every intent in `draft`: a new install runs in shadow mode). `defaults:` apply to every intent
and each intent may override them:

    variables: {order_link: "https://acme.example/orders"}
    defaults: {min_confidence: 0.85, per_author: {hour: 1, day: 3}}
    intents:
      order_status:
        mode: auto
        templates:
          - "Hi @{author}, you can follow your order here: {order_link}"

A `policy:` section says what socialcx may do in the team's commerce system by itself
(`socialcx.care.policy`, `docs/policy.md`); without one it does nothing there.

`{author}` is filled only with a handle valid on the mention's channel; for any other author a
template without `{author}` is used, or, if the intent has none, a person replies.

Errors name the file, the line and the fix, as config errors do.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from socialcx.care.policy import Policy
from socialcx.channels import Channel, valid_handle
from socialcx.config import EnvVarName, Settings, _dotted, _in_file
from socialcx.errors import ConfigError
from socialcx.triage.taxonomy import load_taxonomy

__all__ = [
    "DEFAULT_PLAYBOOK",
    "LENGTH_LIMITS",
    "ActionRules",
    "Caps",
    "IncidentRules",
    "IncidentTemplates",
    "IntentRules",
    "Playbook",
    "QuietHours",
    "Rendered",
    "default_playbook_text",
    "load_playbook",
    "playbook_for",
]

DEFAULT_PLAYBOOK = Path(__file__).parents[1] / "data" / "playbook.yaml"

# The most characters a reply may have on each channel (a playbook's `length_limits` may lower
# or raise them, e.g. for a Mastodon instance that allows longer posts).
LENGTH_LIMITS: dict[Channel, int] = {
    Channel.X: 280,
    Channel.BLUESKY: 300,
    Channel.MASTODON: 500,
    Channel.REDDIT: 10_000,
}

# Variables every template may use, filled from the mention.
MENTION_VARIABLES = ("author", "channel", "intent")
# Variables an incident's statement and follow-up may use besides those and the playbook's.
INCIDENT_VARIABLES = ("topic", "status_page_url")

class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Caps(_Section):
    """At most `hour` replies in any hour and `day` in any day (unset: no limit)."""

    hour: int | None = Field(default=None, ge=0)
    day: int | None = Field(default=None, ge=0)


class QuietHours(_Section):
    """A daily window, in a time zone, when nothing is answered automatically (it may span
    midnight: 22:00 to 07:00)."""

    start: time
    end: time
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Europe/London or UTC") from None
        return value

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone)).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


class ActionRules(_Section):
    """An authorised call to the team's own system (order lookup, refund request) before replying.

    The POST carries `{mention, intent, amount}`; `amount` is the money the mention names
    (£30, $12.50), if any. Above `amount_cap`, or beyond `daily_budget` (the sum of the day's
    amounts), the action is not called and a person decides.
    """

    url: str
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    token_env: EnvVarName | None = None  # sent as `Authorization: Bearer …`
    amount_cap: float | None = Field(default=None, gt=0)
    daily_budget: float | None = Field(default=None, gt=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http:// or https:// URL")
        return value


class IntentRules(_Section):
    """How one intent is answered."""

    enabled: bool = True
    mode: Literal["auto", "draft", "off"] = "draft"
    templates: list[str] = Field(default_factory=list)
    min_confidence: float = Field(default=0.8, ge=0, le=1)
    channels: list[Channel] = Field(default_factory=lambda: list(LENGTH_LIMITS))
    per_author: Caps = Field(default_factory=lambda: Caps(hour=1, day=3))
    per_channel: Caps = Field(default_factory=lambda: Caps(hour=30, day=300))
    quiet_hours: QuietHours | None = None
    action: ActionRules | None = None

    @field_validator("mode", mode="before")
    @classmethod
    def _bare_off(cls, value: Any) -> Any:
        return "off" if value is False else value  # YAML reads a bare `off` as false

    @field_validator("templates")
    @classmethod
    def _no_blank_templates(cls, value: list[str]) -> list[str]:
        if any(not template.strip() for template in value):
            raise ValueError("expected non-empty reply templates")
        return value

    @model_validator(mode="after")
    def _auto_needs_templates(self) -> IntentRules:
        if self.mode == "auto" and self.enabled and not self.templates:
            raise ValueError("mode auto needs at least one template to reply with")
        return self

    @property
    def answers(self) -> bool:
        """Whether this intent is answered automatically at all."""
        return self.enabled and self.mode == "auto"


class IncidentTemplates(_Section):
    """The holding statement and the follow-up for incidents about one topic or intent."""

    statement: str
    follow_up: str
    auto_statement: bool | None = None  # None: the section's

    @field_validator("statement", "follow_up")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("expected some text")
        return value


# Each names the author: X refuses a post identical to one the account already made.
_DEFAULT_INCIDENT_TEMPLATES = IncidentTemplates(
    statement="@{author} We know about the problem with {topic} and we're working on it. Updates: {status_page_url}",
    follow_up="@{author} It's fixed now; sorry for the trouble. What happened: {status_page_url}",
)


class IncidentRules(_Section):
    """Surge mode (`incidents:`): the statement every member of an incident gets once a person
    approves it (or at once, with `auto_statement: true`), the follow-up when it is over, and
    the limits on both: per channel, per incident (`budget`, apart from the routine replies'
    caps) and for all incidents together in any hour (`hourly_ceiling`)."""

    status_page_url: str = "https://status.example.com"
    auto_statement: bool = False  # the first words a brand says in an outage are a person's decision
    templates: dict[str, IncidentTemplates] = Field(default_factory=lambda: {"default": _DEFAULT_INCIDENT_TEMPLATES})
    length_limits: dict[Channel, int] = Field(default_factory=dict)  # per channel, over the playbook's
    per_channel: Caps = Field(default_factory=lambda: Caps(hour=200, day=2000))
    budget: Caps = Field(default_factory=lambda: Caps(hour=300, day=3000))  # statements and follow-ups of one incident
    hourly_ceiling: int = Field(default=500, ge=0)  # of all incidents together

    def templates_for(self, intent: str | None, terms: list[str]) -> IncidentTemplates:
        """The templates for an incident: its intent's, else the first of its surging terms
        named, else `default` (the shipped wording without one)."""
        for key in (intent, *terms):
            if key is not None and key in self.templates:
                return self.templates[key]
        return self.templates.get("default", _DEFAULT_INCIDENT_TEMPLATES)

    def auto(self, templates: IncidentTemplates) -> bool:
        return self.auto_statement if templates.auto_statement is None else templates.auto_statement


class Playbook(_Section):
    """The whole playbook, validated; build it with `load_playbook`."""

    variables: dict[str, str] = Field(default_factory=dict)
    known_bots: list[str] = Field(default_factory=list)
    max_age_minutes: int = Field(default=240, ge=1)
    max_turns: int = Field(default=1, ge=1)  # our replies allowed in one thread
    caps: Caps = Field(default_factory=lambda: Caps(hour=60, day=500))  # all channels together
    length_limits: dict[Channel, int] = Field(default_factory=dict)
    intents: dict[str, IntentRules] = Field(default_factory=dict)
    policy: Policy | None = None  # what socialcx may do in the team's systems (None: nothing)
    incidents: IncidentRules = Field(default_factory=IncidentRules)
    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file this playbook was read from."""
        return self._source

    @field_validator("known_bots")
    @classmethod
    def _handles(cls, value: list[str]) -> list[str]:
        return [handle.strip().lstrip("@").lower() for handle in value if handle.strip()]

    def rules(self, intent: str) -> IntentRules | None:
        return self.intents.get(intent)

    def length_limit(self, channel: Channel) -> int | None:
        return self.length_limits.get(channel, LENGTH_LIMITS.get(channel))

    def render(self, intent: str, channel: Channel, external_id: str, author: str | None,
               action: Mapping[str, Any] | None = None, *, incident: Mapping[str, str] | None = None,
               text: str | None = None) -> Rendered:
        """The reply for a mention: one of the intent's templates, chosen by a hash of the
        mention (the same mention always gets the same one; neighbours get different ones),
        with its variables filled. An author whose handle is not valid on the channel is never
        named: only templates without `{author}` are chosen from, and with none the reply is
        refused for a person to write. A reply too long for the channel is refused, never cut.
        Every reply socialcx writes from a template is rendered here: an incident's statement
        or follow-up is `text` (as a person approved it), with the `incident`'s variables
        (`topic`, `status_page_url`) and the incidents' length limits."""
        if text is not None:
            label, all_templates = "the incident's text", [text]
        else:
            rules = self.intents[intent]
            label, all_templates = intent, rules.templates
        if not all_templates:
            return Rendered(None, f"the playbook has no template for {intent}")
        handle = valid_handle(channel, author)
        templates = all_templates if handle else [t for t in all_templates if "author" not in _variables(t)]
        if not templates:
            return Rendered(None, (
                f"the author's handle is missing or not a valid {channel} handle, and every {label} template "
                "names the author: a person replies"
            ))
        digest = hashlib.sha256(f"{channel}:{external_id}".encode()).digest()
        template = templates[int.from_bytes(digest[:8], "big") % len(templates)]
        values = {
            **self.variables, "status_page_url": self.incidents.status_page_url, **(incident or {}),
            "channel": str(channel), "intent": intent, "action": _Fields(action or {}),
        }
        if handle:
            values["author"] = handle
        try:
            reply = template.format_map(values).strip()
        except (KeyError, AttributeError, ValueError, IndexError) as exc:
            return Rendered(None, f"the template needs {exc}, which is not known for this mention")
        limit = self.incidents.length_limits.get(channel) if text is not None else None
        limit = limit or self.length_limit(channel)
        if limit is not None and len(reply) > limit:
            return Rendered(None, f"the reply would be {len(reply)} characters, over {channel}'s limit of {limit}")
        return Rendered(reply, None)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered reply, or why there is none."""

    text: str | None
    problem: str | None


class _Fields:
    """An action's JSON answer as a template sees it: `{action.status}`."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"action.{name}") from None


def _variables(template: str) -> list[str]:
    """The variable names a template uses (`action` for `{action.status}`); raises ValueError on
    unbalanced braces."""
    fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    return [re.split(r"[.\[]", field, maxsplit=1)[0] for field in fields]


def default_playbook_text() -> str:
    """The shipped playbook: every routine intent drafted, nothing sent until a team says so."""
    return DEFAULT_PLAYBOOK.read_text(encoding="utf-8")


def playbook_for(settings: Settings) -> Playbook:
    """The playbook the settings name, or the shipped default."""
    return load_playbook(settings.playbook or DEFAULT_PLAYBOOK)


def load_playbook(path: Path) -> Playbook:
    """Read and validate a playbook, or raise `ConfigError` naming the file, line and fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: playbook not found; run `socialcx playbook init {path}` to write the default one"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the playbook ({exc.strerror})") from None
    try:
        _refuse_aliases(path, text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}: " if mark is not None else f"{path}: "
        raise ConfigError(f"{where}not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: lists or mappings nested too deeply to read; a playbook needs a few levels at most") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a playbook is a mapping with intents:, variables:, defaults:")
    lines = _lines(node)
    merged = _merge_defaults(path, data, lines)
    try:
        playbook = Playbook.model_validate(merged)  # not **merged: a key may be a number or null
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, data, lines)) from None
    _check_intents(playbook, path, lines)
    _check_templates(playbook, path, lines)
    _check_incident_templates(playbook, path, lines)
    playbook._source = path
    return playbook


def _refuse_aliases(path: Path, text: str) -> None:
    """Refuse YAML aliases before anything expands them: nested ones ("billion laughs") grow
    exponentially and would hang every command that reads the playbook."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise ConfigError(
                f"{path}:{event.start_mark.line + 1}: YAML aliases are not allowed in a playbook (*{event.anchor}); "
                "write the value out, or put what intents share under defaults:"
            )


def _merge_defaults(path: Path, data: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> dict[str, Any]:
    defaults = data.get("defaults") or {}
    intents = data.get("intents") or {}
    for key, value in (("defaults", defaults), ("intents", intents)):
        if not isinstance(value, dict):
            raise ConfigError(f"{path}:{lines.get((key,), 1)}: {key} must be a mapping")
    merged = {key: value for key, value in data.items() if key != "defaults"}
    merged["intents"] = {}
    for name, rules in intents.items():
        if rules is not None and not isinstance(rules, dict):
            raise ConfigError(f"{path}:{lines.get(('intents', name), 1)}: intents.{name} must be a mapping")
        merged["intents"][name] = {**defaults, **(rules or {})}
    return merged


def _check_intents(playbook: Playbook, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    known = load_taxonomy().intents
    for name in playbook.intents:
        if name not in known:
            raise ConfigError(
                f"{path}:{lines.get(('intents', name), 1)}: intents.{name}: unknown intent; "
                f"expected one of the taxonomy's: {', '.join(known)}"
            )


def _check_templates(playbook: Playbook, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    for name, rules in playbook.intents.items():
        allowed = {*MENTION_VARIABLES, *playbook.variables, *(("action",) if rules.action else ())}
        for index, template in enumerate(rules.templates):
            loc = ("intents", name, "templates", index)
            where = f"{path}:{_line(lines, loc, ('defaults', 'templates', index))}: intents.{name}.templates[{index}]"
            _check_variables(where, template, allowed)


def _check_variables(where: str, template: str, allowed: set[str]) -> None:
    """Refuse a template with unbalanced braces, an empty `{}` or a variable nobody fills."""
    try:
        roots = _variables(template)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}; write {{{{ and }}}} for literal braces") from None
    for root in roots:
        if root == "":
            raise ConfigError(f"{where}: {{}} needs a variable name, like {{author}}")
        if root not in allowed:
            hint = "give the intent an action: first" if root == "action" else "define it under variables:"
            raise ConfigError(f"{where}: unknown variable {{{root}}}; {hint}, or use one of: {', '.join(sorted(allowed))}")


def _check_incident_templates(playbook: Playbook, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    allowed = {*MENTION_VARIABLES, *INCIDENT_VARIABLES, *playbook.variables}
    for key, templates in playbook.incidents.templates.items():
        for name in ("statement", "follow_up"):
            where = f"{path}:{_line(lines, ('incidents', 'templates', key, name))}: incidents.templates.{key}.{name}"
            _check_variables(where, getattr(templates, name), allowed)


def _describe(exc: ValidationError, path: Path, data: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> str:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        fallback = ("defaults", *loc[2:]) if loc[:1] == ("intents",) and not _in_file(data, loc) else loc
        key = _dotted(loc)
        message = error["msg"].removeprefix("Value error, ").replace("Input should be", "expected")
        if error["type"] == "invalid_key":  # YAML reads `1:`, `~:` or `true:` as a number, null or boolean
            fallback = (*loc[:-1], str(loc[-1]))
            key, message = _dotted(loc[:-1]) or "the playbook", f"the key {loc[-1]!r} is not text; quote it or remove it"
        elif error["type"] == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
        elif not isinstance(error.get("input"), dict | list) and error["type"] != "missing":
            key = f"{key} = {error['input']!r}"
        problems.append(f"{path}:{_line(lines, loc, fallback)}: {key}: {message}")
    more = f" (and {len(problems) - 3} more problems)" if len(problems) > 3 else ""
    return "; ".join(problems[:3]) + more


def _line(lines: dict[tuple[Any, ...], int], *locs: tuple[Any, ...]) -> int:
    """The line of the first location written in the file, or of its closest enclosing key."""
    for loc in locs:
        if loc in lines:
            return lines[loc]
    for loc in locs:
        for end in range(len(loc) - 1, 0, -1):
            if loc[:end] in lines:
                return lines[loc[:end]]
    return 1


def _lines(node: yaml.Node | None, loc: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """The 1-based line of every key and list item in a composed YAML document."""
    found: dict[tuple[Any, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*loc, key.value)
            found[here] = key.start_mark.line + 1
            found.update(_lines(value, here))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            here = (*loc, index)
            found[here] = item.start_mark.line + 1
            found.update(_lines(item, here))
    return found
