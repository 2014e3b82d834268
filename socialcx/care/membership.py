"""Which mentions belong to an incident: the alert's slice and near-duplicates of its surge.

An incident's `Profile` is built once, when the incident opens, from the mentions of the
alert's surge window (the window its explanation read) against the week before: the intents
that surge there (a tenth of the window and twice their usual share, plus the alert's own), and
the window's mentions of those intents as seeds. A mention is a member when it is on the alert's
channel (any, for an alert on all channels) and a near-duplicate of a seed: MinHash over
5-character shingles of the text without handles, links and `#`, with an estimated Jaccard
similarity of at least `JACCARD` to a seed that datasketch's LSH proposes. Its own intent does not matter: people repeating a complaint
add typos, links and hashtags the classifier reads as another intent.

`bench/incident_membership.py` measured this against a TF-IDF centroid of the seeds on the sandbox
scenarios' hidden truth: equal on the outage, and on the viral complaint the centroid also took in
the ordinary "charged me twice" complaints that share its words, where near-duplicates did not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from datasketch import MinHash, MinHashLSH

__all__ = ["JACCARD", "Candidate", "Profile", "build_profile"]

JACCARD = 0.4
_PERMUTATIONS = 128
_SHINGLE = 5
_INTENT_SHARE = 0.1  # of the window's mentions, for an intent to count as surging
_INTENT_LIFT = 2.0  # times its share of the baseline
_NOISE = re.compile(r"@[\w.]+|https?://\S+|#")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A mention as membership reads it."""

    text: str
    intent: str | None
    channel: str


@dataclass
class Profile:
    """What an incident's members look like; stored with the incident as JSON (`to_json`)."""

    intents: tuple[str, ...]
    channel: str | None  # None: every channel
    seeds: tuple[str, ...]
    jaccard: float = JACCARD
    _index: MinHashLSH | None = field(default=None, init=False, repr=False, compare=False)
    _seeds: dict[str, MinHash] = field(default_factory=dict, init=False, repr=False, compare=False)

    def is_member(self, candidate: Candidate) -> bool:
        """On the channel, and a near-duplicate of a seed: LSH finds the candidates, and the
        estimated Jaccard similarity to one of them must reach the threshold (LSH alone also
        lets through some pairs well below it)."""
        if self.channel is not None and candidate.channel != self.channel:
            return False
        index, seeds = self._lsh()
        mine = signature(candidate.text)
        return any(mine.jaccard(seeds[key]) >= self.jaccard for key in index.query(mine))

    def _lsh(self) -> tuple[MinHashLSH, dict[str, MinHash]]:
        if self._index is None:
            self._index = MinHashLSH(threshold=self.jaccard, num_perm=_PERMUTATIONS)
            self._seeds = {str(index): signature(seed) for index, seed in enumerate(self.seeds)}
            for key, seed in self._seeds.items():
                self._index.insert(key, seed)
        return self._index, self._seeds

    def to_json(self) -> dict[str, Any]:
        return {"intents": list(self.intents), "channel": self.channel, "seeds": list(self.seeds), "jaccard": self.jaccard}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Profile:
        return cls(tuple(data["intents"]), data["channel"], tuple(data["seeds"]), data["jaccard"])


def build_profile(
    window: Sequence[Candidate], baseline: Sequence[Candidate], *, intent: str | None, channel: str | None
) -> Profile:
    """The profile of the surge in `window` (the alert's window on its watch and channel)
    against `baseline` (the week before), for the alert's `intent` and `channel`."""
    intents = _surging_intents(window, baseline) | ({intent} if intent else set())
    seeds = [candidate.text for candidate in window if candidate.intent in intents] or [c.text for c in window]
    return Profile(tuple(sorted(intents)), channel, tuple(dict.fromkeys(seeds)))


def signature(text: str) -> MinHash:
    """The MinHash of a text's 5-character shingles, handles, links and `#` left out."""
    clean = re.sub(r"\s+", " ", _NOISE.sub("", text.lower())).strip()
    minhash = MinHash(num_perm=_PERMUTATIONS)
    minhash.update_batch([clean[i : i + _SHINGLE].encode() for i in range(max(1, len(clean) - _SHINGLE + 1))])
    return minhash


def _surging_intents(window: Sequence[Candidate], baseline: Sequence[Candidate]) -> set[str]:
    here = Counter(candidate.intent for candidate in window if candidate.intent)
    usual = Counter(candidate.intent for candidate in baseline if candidate.intent)
    return {
        intent for intent, count in here.items()
        if count / len(window) >= _INTENT_SHARE
        and (not baseline or count / len(window) >= _INTENT_LIFT * usual[intent] / len(baseline))
    }
