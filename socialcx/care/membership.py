"""Which mentions belong to an incident: the alert's channel and near-duplicates of what surges.

An incident's `Profile` is built once, when the incident opens, from the mentions of the
alert's window (from the start of the surge its explanation read to the incident's opening)
against the week before. Its seeds are the window's mentions whose near-duplicates surge: they
are repeated in the window (twice at least) and make up at least `_LIFT` times the share of it
they make up of the week before. That keeps the reports of the outage (new words, many times)
and drops the everyday questions that happen to fall in the window, however alike they are
(people ask where their order is every day). A mention is a member when it is on the alert's
channel (any, for an alert on all channels) and a near-duplicate of a seed: MinHash over
5-character shingles of the text without handles, links and `#`, with an estimated Jaccard
similarity of at least `JACCARD` to a seed that datasketch's LSH proposes. Its intent does not
matter: people repeating a complaint add typos, links and hashtags the classifier reads as
another intent, and a viral complaint need not make any single intent spike.

`bench/incident_membership.py` measured this against a TF-IDF centroid of the surging intents'
mentions on the sandbox scenarios' hidden truth: equal on the outage, and on the viral complaint
the centroid also took in the ordinary "charged me twice" complaints that share its words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from datasketch import MinHash, MinHashLSH

__all__ = ["JACCARD", "Candidate", "Profile", "build_profile"]

JACCARD = 0.4
_PERMUTATIONS = 128
_SHINGLE = 5
_LIFT = 5.0  # a seed's near-duplicates' share of the window over their share of the baseline
_SMALL_BASELINE = 200  # a week shorter than this says little: its shares count as of this many
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

    intents: tuple[str, ...]  # the seeds' intents, for people to read
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
            self._index = _index(self.jaccard)
            self._seeds = {str(index): signature(seed) for index, seed in enumerate(self.seeds)}
            for key, seed in self._seeds.items():
                self._index.insert(key, seed)
        return self._index, self._seeds

    def to_json(self) -> dict[str, Any]:
        return {"intents": list(self.intents), "channel": self.channel, "seeds": list(self.seeds), "jaccard": self.jaccard}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Profile:
        return cls(tuple(data["intents"]), data["channel"], tuple(data["seeds"]), data["jaccard"])


def build_profile(window: Sequence[Candidate], baseline: Sequence[Candidate], *, channel: str | None) -> Profile:
    """The profile of the surge in `window` (the alert's window on its watch and channel)
    against `baseline` (the week before), for the alert's `channel`."""
    signatures = _signatures([candidate.text for candidate in window])
    here = _near(signatures, signatures)
    usual = _near(signatures, _signatures([candidate.text for candidate in baseline]), verify=False)
    seeds = [
        candidate for candidate, repeated, before in zip(window, here, usual, strict=True)
        if repeated >= 2 and repeated / len(window) >= _LIFT * before / max(len(baseline), _SMALL_BASELINE)
    ]
    intents = sorted({candidate.intent for candidate in seeds if candidate.intent})
    return Profile(tuple(intents), channel, tuple(dict.fromkeys(candidate.text for candidate in seeds)))


def _near(these: Sequence[MinHash], among: Sequence[MinHash], *, verify: bool = True) -> list[int]:
    """For each of `these`, how many of `among` are its near-duplicates (itself included); not
    `verify`ing LSH's candidates counts more of them, which only makes a seed harder to earn."""
    index = _index(JACCARD)
    for key, minhash in enumerate(among):
        index.insert(key, minhash)
    return [
        sum(1 for key in index.query(mine) if not verify or mine.jaccard(among[key]) >= JACCARD) for mine in these
    ]


def _index(threshold: float) -> MinHashLSH:
    """An empty LSH index for `threshold`, its bands worked out once (datasketch integrates the
    false positive and negative rates anew for every index: 50 ms, twice per incident opened)."""
    return MinHashLSH(threshold=threshold, num_perm=_PERMUTATIONS, params=_bands(threshold))


@functools.cache
def _bands(threshold: float) -> tuple[int, int]:
    index = MinHashLSH(threshold=threshold, num_perm=_PERMUTATIONS)
    return index.b, index.r


def signature(text: str) -> MinHash:
    """The MinHash of a text's 5-character shingles, handles, links and `#` left out."""
    minhash = MinHash(num_perm=_PERMUTATIONS)
    minhash.update_batch(_shingles(text))
    return minhash


def _signatures(texts: Sequence[str]) -> list[MinHash]:
    """`signature` of many texts at once (datasketch's bulk hashing: about twice as fast)."""
    return list(MinHash.bulk([_shingles(text) for text in texts], num_perm=_PERMUTATIONS)) if texts else []


def _shingles(text: str) -> list[bytes]:
    clean = re.sub(r"\s+", " ", _NOISE.sub("", text.lower())).strip()
    # Each distinct shingle once: a MinHash is a minimum, so repeats change nothing but cost a hash.
    return list(dict.fromkeys(clean[i : i + _SHINGLE].encode() for i in range(max(1, len(clean) - _SHINGLE + 1))))
