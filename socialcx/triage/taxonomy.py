"""The triage taxonomy: intents with their definitions and whether the playbook answers them by
default, and the sentiment and urgency scales. The default lives in `models/triage/taxonomy.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from socialcx.errors import ConfigError

__all__ = ["DEFAULT_TAXONOMY", "Intent", "Taxonomy", "load_taxonomy"]

DEFAULT_TAXONOMY = Path(__file__).resolve().parents[2] / "models" / "triage" / "taxonomy.yaml"


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    definition: str
    routine: bool


@dataclass(frozen=True, slots=True)
class Taxonomy:
    intents: dict[str, Intent]
    sentiments: dict[str, str]
    urgencies: dict[str, str]

    def routine(self, intent: str) -> bool:
        """Whether the playbook answers this intent by default (unknown intents never are)."""
        known = self.intents.get(intent)
        return known is not None and known.routine


def load_taxonomy(path: Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read a taxonomy file; a malformed one is a `ConfigError` naming the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        intents = {
            item["name"]: Intent(item["name"], item["definition"], bool(item["routine"])) for item in data["intents"]
        }
        return Taxonomy(intents, _scale(data["sentiments"]), _scale(data["urgencies"]))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the taxonomy ({exc.strerror})") from None
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a taxonomy ({type(exc).__name__}: {exc})") from None


def _scale(items: list[dict[str, str]] | dict[str, str]) -> dict[str, str]:
    if isinstance(items, dict):
        return {str(name): str(definition) for name, definition in items.items()}
    return {item["name"]: item["definition"] for item in items}
