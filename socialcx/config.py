"""Settings: `socialcx.toml` plus `SOCIALCX_*` environment overrides, validated before anything runs.

The file is found from `--config FILE`, else `SOCIALCX_CONFIG`, else `./socialcx.toml`; with none
of them, the built-in defaults apply. Environment variables win over the file; nested keys use a
double underscore (`SOCIALCX_MAIL__HOST`). Secrets never appear in the file: a channel names the
*environment variable* that holds each credential, and the value is read from the environment or
from the secrets file when a connector needs it.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from socialcx.channels import Channel
from socialcx.errors import ConfigError

__all__ = [
    "BusinessHours",
    "ChannelConfig",
    "CommerceConfig",
    "ChannelsConfig",
    "DaemonConfig",
    "InboxConfig",
    "MailConfig",
    "RetentionConfig",
    "Settings",
    "SlaMinutes",
    "Thresholds",
    "TimeZoneName",
    "WatchConfig",
    "WebConfig",
    "example_config",
    "sandbox_config",
    "sandbox_secrets",
    "find_config",
    "load_settings",
]

CONFIG_ENV = "SOCIALCX_CONFIG"
SANDBOX_SECRETS = "sandbox-secrets.env"
DEFAULT_CONFIG = Path("socialcx.toml")

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WATCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Section(BaseModel):
    """A config table: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


def _env_var_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError(
            "expected the name of an environment variable that holds the secret "
            "(like X_BEARER_TOKEN), never the secret itself"
        )
    return value


EnvVarName = Annotated[str, AfterValidator(_env_var_name)]


class ChannelConfig(_Section):
    """How one channel is polled, its read budget, and the variables holding its credentials.

    The budget mirrors what paid API tiers sell: at most `requests_per_window` requests in each
    `window_minutes` window and `requests_per_month` in a calendar month (unset: no limit).
    """

    enabled: bool = False
    poll_interval_seconds: int = Field(default=300, ge=10)
    base_url: str | None = None
    credentials: dict[str, EnvVarName] = Field(default_factory=dict)
    requests_per_window: int | None = Field(default=None, ge=1)
    window_minutes: int = Field(default=15, ge=1, le=1440)
    requests_per_month: int | None = Field(default=None, ge=1)
    max_requests_per_poll: int = Field(default=20, ge=1)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/") if value else value


class ChannelsConfig(_Section):
    """One table per channel; every channel is present, disabled until turned on."""

    x: ChannelConfig = Field(default_factory=ChannelConfig)
    reddit: ChannelConfig = Field(default_factory=ChannelConfig)
    mastodon: ChannelConfig = Field(default_factory=ChannelConfig)
    bluesky: ChannelConfig = Field(default_factory=ChannelConfig)
    hackernews: ChannelConfig = Field(default_factory=ChannelConfig)
    rss: ChannelConfig = Field(default_factory=ChannelConfig)

    def get(self, channel: Channel) -> ChannelConfig:
        return getattr(self, channel.value)

    def enabled(self) -> list[Channel]:
        return [channel for channel in Channel if self.get(channel).enabled]


class WatchConfig(_Section):
    """What a team follows: brand handles, keywords, hashtags, subreddits and feeds, on some channels."""

    name: str
    channels: list[Channel] = Field(default_factory=lambda: list(Channel))
    handles: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    subreddits: list[str] = Field(default_factory=list)
    feeds: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _WATCH_NAME.match(value):
            raise ValueError("expected a short name of letters, digits, '.', '_' or '-'")
        return value

    @field_validator("handles", "keywords", "hashtags", "subreddits", "feeds")
    @classmethod
    def _no_blank_terms(cls, value: list[str]) -> list[str]:
        terms = [term.strip() for term in value]
        if any(not term for term in terms):
            raise ValueError("expected non-empty terms")
        return terms

    @model_validator(mode="after")
    def _has_terms(self) -> WatchConfig:
        if not (self.handles or self.keywords or self.hashtags or self.subreddits or self.feeds):
            raise ValueError(
                "a watch needs at least one of handles, keywords, hashtags, subreddits or feeds"
            )
        return self


class MailConfig(_Section):
    """Where alert and digest emails go. The login is read from the named environment variables."""

    host: str = "localhost"
    port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "none"
    username_env: EnvVarName | None = None
    password_env: EnvVarName | None = None
    sender: str = "socialcx@localhost"
    recipients: list[str] = Field(default_factory=list)
    web_url: str | None = None  # the web inbox, linked from alert emails: "https://care.example.com"

    @field_validator("web_url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError('expected the web inbox\'s address, like "https://care.example.com"')
        return value.rstrip("/") if value else value


class Thresholds(_Section):
    """Limits that shape what is stored and what counts as trouble."""

    max_text_chars: int = Field(default=10_000, ge=280)
    stale_after_minutes: int = Field(default=60, ge=1)


class SpikesConfig(_Section):
    """How mention counts are bucketed for spike detection; the detector's own parameters are
    the product's defaults, tested on real data, so there is nothing to tune per series."""

    bucket_minutes: int = Field(default=5, ge=1, le=60)
    settle_minutes: int = Field(default=5, ge=0, le=120)  # wait for late arrivals before judging a bucket

    @property
    def bucket(self) -> timedelta:
        return timedelta(minutes=self.bucket_minutes)

    @property
    def settle(self) -> timedelta:
        return timedelta(minutes=self.settle_minutes)


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected an IANA time zone such as Europe/London or UTC") from None
    return value


TimeZoneName = Annotated[str, AfterValidator(_time_zone)]


class SlaMinutes(_Section):
    """How long the inbox allows before the first response, per priority, in minutes."""

    critical: int = Field(default=15, ge=1)
    high: int = Field(default=60, ge=1)
    normal: int = Field(default=240, ge=1)
    low: int = Field(default=1440, ge=1)


class BusinessHours(NamedTuple):
    """When the team works: weekdays (0 = Monday) and the opening and closing times on each."""

    days: frozenset[int]
    opens: time
    closes: time


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BUSINESS_HOURS = re.compile(r"^\s*(\w{3})(?:\s*-\s*(\w{3}))?\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def parse_business_hours(value: str) -> BusinessHours:
    """`Mon-Fri 09:00-17:00` (or one day, or a range across the weekend like `Sat-Sun`)."""
    match = _BUSINESS_HOURS.match(value)
    days = [part.lower() for part in (match.groups()[:2] if match else ()) if part]
    if not match or any(day not in _WEEKDAYS for day in days):
        raise ValueError('expected days and hours like "Mon-Fri 09:00-17:00"')
    first, last = _WEEKDAYS.index(days[0]), _WEEKDAYS.index(days[-1])
    try:
        opens, closes = time.fromisoformat(match.group(3).zfill(5)), time.fromisoformat(match.group(4).zfill(5))
    except ValueError:
        raise ValueError('expected hours like "09:00-17:00"') from None
    if closes <= opens:
        raise ValueError("the closing time must be after the opening time")
    return BusinessHours(frozenset((first + step) % 7 for step in range((last - first) % 7 + 1)), opens, closes)


class InboxConfig(_Section):
    """The inbox's SLA: the time allowed per priority, counted only in business hours when set."""

    sla_minutes: SlaMinutes = Field(default_factory=SlaMinutes)
    business_hours: str | None = None  # "Mon-Fri 09:00-17:00"; unset: the clock always runs
    timezone: TimeZoneName = "UTC"

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            parse_business_hours(value)
        return value

    @property
    def hours(self) -> BusinessHours | None:
        return parse_business_hours(self.business_hours) if self.business_hours else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class CommerceConfig(_Section):
    """The team's commerce system (`docs/commerce-api.md`): where its API answers and the variable
    holding its token. Unset `base_url`: socialcx resolves nothing there and hands transactional
    mentions to people."""

    base_url: str | None = None  # ends with the API's prefix, e.g. "https://shop.internal/shop/v1"
    token_env: str = "SOCIALCX_COMMERCE_TOKEN"


class DaemonConfig(_Section):
    """The long-running `socialcx run`: where its health and metrics answer, and its log lines."""

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8787, ge=0, le=65535)  # 0: any free port
    log_format: Literal["text", "json"] = "text"


class WebConfig(_Section):
    """The web workspace (`socialcx web`, and `socialcx run` when enabled): where it listens, and
    the variable holding the key its session cookies are signed with (unset: a key kept in the
    data dir, made on first use), and the reverse proxies whose X-Forwarded-For it believes."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8790, ge=0, le=65535)  # 0: any free port
    secret: EnvVarName | None = None
    secure_cookies: bool = False  # set behind a TLS reverse proxy: cookies only over HTTPS
    # Proxies (addresses or networks) whose X-Forwarded-For names the client: the login throttle
    # then counts failures per client, not per proxy. Empty: the header is never believed.
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list)


class RetentionConfig(_Section):
    """How long raw platform payloads are kept; mentions, counts and alerts are kept for good."""

    raw_payload_days: int = Field(default=90, ge=1)


class Settings(BaseSettings):
    """The whole configuration. Build it with `load_settings`, which reports errors by file and line."""

    model_config = SettingsConfigDict(
        env_prefix="SOCIALCX_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Path(".")
    database_url: str | None = None
    secrets_file: Path | None = None
    playbook: Path | None = None  # the auto-reply playbook (YAML); unset: the shipped one, all drafts
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    watches: list[WatchConfig] = Field(default_factory=list)
    mail: MailConfig = Field(default_factory=MailConfig)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    spikes: SpikesConfig = Field(default_factory=SpikesConfig)
    inbox: InboxConfig = Field(default_factory=InboxConfig)
    daemon: DaemonConfig = Field(default_factory=DaemonConfig)
    commerce: CommerceConfig = Field(default_factory=CommerceConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    web: WebConfig = Field(default_factory=WebConfig)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's contents arrive as init arguments; the environment must override them.
        return (env_settings, init_settings)

    @field_validator("data_dir", "secrets_file", "playbook")
    @classmethod
    def _no_nul(cls, value: Path | None) -> Path | None:
        """A NUL cannot be in a file name; refused here, the OS would fail on it later."""
        if value is not None and "\x00" in str(value):
            raise ValueError("expected a file path, found a NUL character (\\u0000) in it")
        return value

    @model_validator(mode="after")
    def _unique_watch_names(self) -> Settings:
        names = [watch.name for watch in self.watches]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"watch names must be unique; repeated: {', '.join(repeated)}")
        return self

    @property
    def database(self) -> str:
        """The database URL: `database_url` if set, else a SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'socialcx.db'}"

    def watch(self, name: str) -> WatchConfig | None:
        return next((watch for watch in self.watches if watch.name == name), None)

    def secret(self, env_name: str) -> str | None:
        """The value of a credential variable, from the environment, else the secrets file."""
        if env_name in os.environ:
            return os.environ[env_name]
        if self.secrets_file is None:
            return None
        return _read_secrets_file(self.secrets_file).get(env_name)


def find_config(path: Path | None = None) -> tuple[Path | None, bool]:
    """Where the config lives, and whether the user named it (so that a missing file is an error)."""
    if path is not None:
        return path, True
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), True
    return (DEFAULT_CONFIG, False) if DEFAULT_CONFIG.exists() else (None, False)


def load_settings(path: Path | None = None) -> Settings:
    """Load and validate the configuration, or raise `ConfigError` naming the file, line and fix."""
    path, named = find_config(path)
    text, data = "", {}
    if path is not None:
        text = _read_config(path)
        data = _parse_toml(path, text)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, text, data)) from None
    base = path.parent if path is not None else Path.cwd()
    settings.data_dir = (base / settings.data_dir).resolve()
    if settings.secrets_file is not None:
        settings.secrets_file = (base / settings.secrets_file).resolve()
    if settings.playbook is not None:
        settings.playbook = (base / settings.playbook).resolve()
    _check_credentials(settings, path, text)
    return settings


def example_config() -> str:
    """The commented example config that `socialcx init` writes; it is valid as it stands."""
    return _data("example.toml")


def sandbox_config() -> str:
    """The config `socialcx init --sandbox` writes: every connector pointed at the local sandbox."""
    return _data("sandbox.toml")


def sandbox_secrets() -> str:
    """The placeholder credentials the sandbox config reads from `SANDBOX_SECRETS`."""
    return _data(SANDBOX_SECRETS)


def _data(name: str) -> str:
    return (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")


def _read_config(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found; run `socialcx init {path}` to create one"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, expected a TOML config file") from None
    except PermissionError:
        raise ConfigError(f"{path}: cannot read the config file (permission denied)") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends in "(at line N, column M)".
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: arrays or tables nested too deeply to read; a config needs a few levels at most") from None


def _read_secrets_file(path: Path) -> dict[str, str]:
    """`NAME=value` lines; blank lines and `#` comments are ignored, surrounding quotes dropped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the secrets file ({exc.strerror})") from None
    secrets = {}
    for line in lines:
        name, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and not name.startswith("#"):
            secrets[name.strip()] = value.strip().strip("'\"")
    return secrets


def _check_credentials(settings: Settings, path: Path | None, text: str) -> None:
    for channel in settings.channels.enabled():
        for key, env_name in settings.channels.get(channel).credentials.items():
            if settings.secret(env_name) is None:
                loc = ("channels", channel.value, "credentials", key)
                raise ConfigError(
                    f"{_where(path, text, loc)}channels.{channel}.credentials.{key} names the "
                    f"environment variable {env_name}, which is not set; export it (or add it to "
                    f"the secrets file), or set enabled = false for [channels.{channel}]"
                )


def _describe(exc: ValidationError, path: Path | None, text: str, data: dict[str, Any]) -> str:
    """One sentence per problem, each naming where it is, what was found and what is expected."""
    problems = [_describe_one(error, path, text, data) for error in exc.errors()]
    more = f" (and {len(problems) - 3} more problems)" if len(problems) > 3 else ""
    return "; ".join(problems[:3]) + more


def _describe_one(error: Any, path: Path | None, text: str, data: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    key = _dotted(loc)
    kind = error["type"]
    if not _in_file(data, loc) and kind != "missing":
        origin = "SOCIALCX_" + "__".join(str(part).upper() for part in loc)
        where = f"environment variable {origin} (or {path or 'the defaults'}): "
    else:
        where = _where(path, text, loc)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"{where}unknown key '{loc[-1]}'{hint}"
    if kind == "missing":
        return f"{where}{key} is required"
    message = error["msg"].removeprefix("Value error, ")
    message = message.replace("Input should be", "expected").replace("Input ", "")
    found = error.get("input")
    if isinstance(found, dict | list) or _may_hold_a_secret(loc):
        return f"{where}{key}: {message}"
    return f"{where}{key} = {found!r}: {message}"


def _may_hold_a_secret(loc: tuple[Any, ...]) -> bool:
    """Where a secret pasted by mistake would sit; such values are never repeated in a message."""
    return "credentials" in loc or str(loc[-1]).endswith("_env")


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys a table accepts, found by walking the settings models along `loc`."""
    model: Any = Settings
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        model = args[0] if args and isinstance(args[0], type) else annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
    return list(model.model_fields)


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _in_file(data: Any, loc: tuple[Any, ...]) -> bool:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    return True


def _where(path: Path | None, text: str, loc: tuple[Any, ...]) -> str:
    if path is None:
        return ""
    line = _line_of(text, loc)
    return f"{path}:{line}: " if line else f"{path}: "


_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line where `loc` (or the closest enclosing key or table) is written in a TOML text."""
    lines: dict[tuple[Any, ...], int] = {}
    table: tuple[Any, ...] = ()
    array_counts: dict[tuple[Any, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _TABLE.match(line):
            parts = tuple(_key_parts(match.group(2)))
            if match.group(1) == "[[":
                index = array_counts.get(parts, -1) + 1
                array_counts[parts] = index
                parts = (*parts, index)
            table = parts
            lines.setdefault(table, number)
        elif match := _KEY.match(line):
            key = (*table, *_key_parts(match.group(1)))
            lines.setdefault(key, number)
            # Inline tables: `credentials = { bearer_token = "X" }` holds its keys on this line.
            for inner in re.findall(r"[{,]\s*([A-Za-z0-9_\-]+)\s*=", line):
                lines.setdefault((*key, inner), number)
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _key_parts(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]
