"""Build the shipped default triage model, `models/triage/default/v5/`, which is committed.

Intent and urgency learn from `seed.csv`. Sentiment learns from `seed.csv` plus public labelled tweets read in place from
the shared data folder (never copied into the repository): the SemEval 2013-2016 pool that stands
in for TweetEval's train split, and the training 70 % of the Twitter US Airline Sentiment file
(`socialcx.triage.corpora`; the other 30 % and TweetEval's validation split are what
`bench/triage.py` measures it on). It then prints how the intent classifier does on phrasings it
never saw: cross-validated with the rows of each hand-written phrasing kept in one fold (the
seed's `phrasing` column), which the shipped threshold's plain cross-validation does not do.

Every classifier reads the static token vectors of `models/triage/static/` beside its n-grams. To
rebuild it (21 minutes for v5 on 2 cores at a load average of 10-20; the n-grams alone took
about 10 on free cores):

    nice python models/triage/make_seed.py          # only if seed_templates.py changed
    nice python models/triage/build_static_vectors.py   # only if the table is missing (needs torch)
    nice python models/triage/build_default.py --data ../shared/data

Those public tweets are licensed for non-commercial use (CC BY-NC-SA 4.0 for the airline set;
Twitter's terms for SemEval), and so is a model trained on them: a team that needs otherwise can
rebuild with `--seed-only`, which is what a checkout without the folder trains on first use.
"""

from __future__ import annotations

import argparse
import csv
import time
from datetime import UTC, datetime
from pathlib import Path

from socialcx.triage.corpora import sentiment_training_rows
from socialcx.triage.model import TextClassifier
from socialcx.triage.triage import DEFAULT_MODEL_DIR, SEED, TriageModel

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--seed-only", action="store_true", help="sentiment from the seed set alone")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR)
    args = parser.parse_args()
    with SEED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    public = [] if args.seed_only else sentiment_training_rows(args.data)
    started = time.perf_counter()
    model = TriageModel.train_rows(
        rows, args.out, source=SEED.name, now=datetime.now(UTC), sentiment_rows=public
    )
    print(f"{args.out}: {model.version}, {len(rows):,} seed rows and {len(public):,} public tweets "
          f"in {time.perf_counter() - started:.0f} s")
    for path in sorted(args.out.glob("*/model.skops")):
        print(f"  {path.relative_to(args.out)}: {path.stat().st_size / 1e6:.1f} MB")
    by_phrasing = TextClassifier().fit([r["text"] for r in rows], [r["intent"] for r in rows], [r["phrasing"] for r in rows])
    print(f"intent on new phrasings (cross-validated by phrasing): accuracy {by_phrasing.cv_accuracy_:.3f}, "
          f"macro-F1 {by_phrasing.cv_macro_f1_:.3f} (the shipped threshold is {model.intent.threshold_:.3f}); "
          "precision / coverage if it acted only above a threshold:")
    print("  threshold  coverage  precision")
    for threshold, coverage, precision in by_phrasing.curve_:
        print(f"  {threshold:>9.3f}  {coverage:>8.1%}  {precision:>9.3f}")


if __name__ == "__main__":
    main()
