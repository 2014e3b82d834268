"""Risk flags: every phrasing in the tables raises its flag, every near miss does not, and the
detector is total, ordered and fast enough to run on every mention."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcx.triage.risk import RISK_FLAGS, risk_flags

TABLES = Path(__file__).resolve().parents[2] / "models" / "triage"

# Rows the detector does not get right: (file, text) -> reason. The holdout table was written
# before the detector was tuned and measured once at the end; its misses stay visible here
# instead of being patched, so that it keeps measuring how the patterns generalise.
HOLDOUT = "holdout miss, not tuned on: "
KNOWN_MISSES: dict[tuple[str, str], str] = {
    ("risk_phrasings_holdout.csv", "next stop is the county court, I've had enough"): HOLDOUT + 'court named without a preposition before it',
    ("risk_phrasings_holdout.csv", "i'll take legal actoin if this isnt fixed"): HOLDOUT + "typo in 'action' is not covered",
    ("risk_phrasings_holdout.csv", 'ik schakel een advocaat in en dien een klacht in'): HOLDOUT + "Dutch separable verb 'schakel ... in' is not covered",
    ("risk_phrasings_holdout.csv", 'the lid shattered and a shard went into my eye'): HOLDOUT + "'shard went into my eye' has no injury verb the lexicon knows",
    ("risk_phrasings_holdout.csv", 'the car seat buckle failed in a crash'): HOLDOUT + 'a crash with no person named',
    ("risk_phrasings_holdout.csv", "the brakes on the pram don't hold and it rolled into the road"): HOLDOUT + "'don't hold' is not among the brake failures",
    ("risk_phrasings_holdout.csv", 'het snoer werd heet en begon te smelen'): HOLDOUT + "Dutch melting ('smelten', here with a typo) is not covered",
    ("risk_phrasings_holdout.csv", 'I burned through my budget at your sale'): HOLDOUT + "'I burned' reads as a burn injury (false alarm)",
    ("risk_phrasings_holdout.csv", 'your support agent is a gormless muppet'): HOLDOUT + "'gormless' is not a word the pattern allows between target and insult",
    ("risk_phrasings_holdout.csv", 'ya no tengo ganas de seguir viviendo'): HOLDOUT + "'ganas de seguir viviendo' after 'no tengo' is not covered",
}


def _rows(name: str) -> list:
    with (TABLES / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        pytest.param(
            row["text"],
            row["flag"],
            row["expected"] == "1",
            id=f"{name.removesuffix('.csv')}-{row['flag']}-{index}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[(name, row["text"])])]
            if (name, row["text"]) in KNOWN_MISSES
            else [],
        )
        for index, row in enumerate(rows)
    ]


@pytest.mark.parametrize(
    ("text", "flag", "raised"),
    _rows("risk_phrasings.csv") + _rows("risk_phrasings_holdout.csv"),
)
def test_a_phrasing_raises_its_flag_and_a_near_miss_does_not(text: str, flag: str, raised: bool) -> None:
    assert (flag in risk_flags(text)) is raised


def test_the_tables_cover_every_flag_with_positives_and_near_misses() -> None:
    for name in ("risk_phrasings.csv", "risk_phrasings_holdout.csv"):
        with (TABLES / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for flag in RISK_FLAGS:
            assert sum(r["flag"] == flag and r["expected"] == "1" for r in rows) >= 15
            assert sum(r["flag"] == flag and r["expected"] == "0" for r in rows) >= 10


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_unicode_gives_known_flags_in_order(text: str) -> None:
    flags = risk_flags(text)
    assert isinstance(flags, tuple)
    assert list(flags) == [flag for flag in RISK_FLAGS if flag in flags]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["my lawyer", "caught fire", "07700 900123", "you idiots", "kms", "ok"]), max_size=6))
def test_flags_come_in_risk_flags_order_whatever_the_word_order(parts: list[str]) -> None:
    flags = risk_flags(" and ".join(parts))
    assert list(flags) == sorted(flags, key=RISK_FLAGS.index)


def test_it_keeps_up_with_the_mention_stream() -> None:
    # 10,000 typical posts from the seed set. The bound is the triage-wide floor (2,000
    # mentions/s), so it catches a slow pattern without flaking on a busy machine.
    with (TABLES / "seed.csv").open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    posts = (texts * (10_000 // len(texts) + 1))[:10_000]
    started = time.process_time()
    for post in posts:
        risk_flags(post)
    assert time.process_time() - started < 5.0
