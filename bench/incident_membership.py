"""Incident membership measured on the sandbox's hidden truth: TF-IDF centroid against MinHash/LSH.

Two scenarios: the demo's (`default`: a checkout outage, 300 mentions over three hours) and a
viral complaint (a week of traffic with 400 people repeating "double charging" over six hours).
Every mention is triaged by the shipped model, with its text as the connectors store it (a
Reddit submission's title). The alert is placed where the detector raises it in the demo (the
5-minute bucket after the surge's first mention) and stays open for the surge; the incident opens
when the alert is judged (45 minutes later in the demo), its profile built from the mentions
since one bucket before the alert's against the week before, as `socialcx.care.surge` does. The candidates are every mention
from the window's start to the alert's end; truth is `Truth.incident`.

- minhash: `socialcx.care.membership` as shipped (a near-duplicate, MinHash/LSH over 5-character
  shingles, of one of the window's mentions whose near-duplicates surge), at three Jaccard
  thresholds;
- tfidf: the TF-IDF cosine (words, sublinear tf, IDF of the window and the week) to the centroid of
  the same seeds, for a mention of one of the seeds' intents at `threshold`, or of any at `any`.

    python bench/incident_membership.py
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from socialcx.care.membership import JACCARD, Candidate, Profile, build_profile
from socialcx.sandbox.scenario import SCENARIOS, Incident, ScenarioSpec, generate
from socialcx.spikes.explain import terms_of
from socialcx.triage.triage import default_model

START = datetime(2026, 11, 23, tzinfo=UTC)
BUCKET = timedelta(minutes=5)
JUDGED_AFTER = timedelta(minutes=45)  # the demo's: the alert is judged (the incident opens) 45 min after its bucket
CASES = {
    "default (checkout outage)": (SCENARIOS["default"], timedelta(hours=2, minutes=35)),
    "viral (double charge)": (
        ScenarioSpec(days=7, mentions=6_000, incidents=(Incident("double-charge", timedelta(days=5, hours=10), timedelta(hours=6), 400),)),
        timedelta(hours=5),
    ),
}


def main() -> None:
    model = default_model()
    for name, (spec, open_for) in CASES.items():
        scenario = generate(spec, start=START, name=name)
        texts = [((post.title or "") + "\n\n" + post.text).strip() for post in scenario.posts]
        triaged = model.triage(texts)
        rows = [
            (Candidate(text, triage.intent, str(post.channel)), post.created_at, scenario.truth[(post.channel, post.id)].incident)
            for post, text, triage in zip(scenario.posts, texts, triaged, strict=True)
        ]
        first = min(at for _, at, incident in rows if incident)
        opened = first.replace(minute=first.minute - first.minute % 5, second=0, microsecond=0) + BUCKET
        start, end = opened - BUCKET, opened + JUDGED_AFTER
        window = [c for c, at, _ in rows if start <= at < end]
        baseline = [c for c, at, _ in rows if start - timedelta(days=7) <= at < start][-5_000:]
        candidates = [(c, incident is not None) for c, at, incident in rows if start <= at <= opened + open_for]
        profile = build_profile(window, baseline, channel=None)
        print(f"== {name}: {len(candidates)} candidates, {sum(t for _, t in candidates)} members, surging intents {profile.intents}")
        for jaccard in (0.3, JACCARD, 0.5):
            swept = Profile(profile.intents, None, profile.seeds, jaccard)
            label = f"minhash {jaccard:.1f}" + (" (shipped)" if jaccard == JACCARD else "")
            print(f"  {label:<24}" + _score([swept.is_member(c) for c, _ in candidates], candidates))
        seeds = list(profile.seeds)
        vectorizer = TfidfVectorizer(tokenizer=terms_of, token_pattern=None, lowercase=False, sublinear_tf=True)
        vectorizer.fit(seeds + [c.text for c in baseline])
        centroid = np.asarray(vectorizer.transform(seeds).mean(axis=0)).ravel()
        cosine = vectorizer.transform([c.text for c, _ in candidates]) @ (centroid / np.linalg.norm(centroid))
        for threshold, any_threshold in ((0.05, 0.3), (0.1, 0.35), (0.2, 0.4)):
            chosen = [
                (c.intent in profile.intents and score >= threshold) or score >= any_threshold
                for (c, _), score in zip(candidates, cosine, strict=True)
            ]
            print(f"  {f'tfidf {threshold:.2f} any {any_threshold:.2f}':<24}" + _score(chosen, candidates))


def _score(chosen: list[bool], candidates: list[tuple[Candidate, bool]]) -> str:
    hits = sum(1 for pick, (_, truth) in zip(chosen, candidates, strict=True) if pick and truth)
    picked, members = sum(chosen), sum(truth for _, truth in candidates)
    return f"precision {hits / max(picked, 1):.3f}  recall {hits / max(members, 1):.3f}  ({hits} of {picked} chosen)"


if __name__ == "__main__":
    main()
