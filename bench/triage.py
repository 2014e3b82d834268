"""Triage quality and speed on public data, each figure beside a TF-IDF + LogisticRegression baseline.

"Ours" is `socialcx.triage.model.TextClassifier` trained on each data set's training part; the
baseline, fitted in the same run on the same rows, is a plain TF-IDF (word 1-2 + char_wb 2-5
grams, sublinear tf) + LogisticRegression (default C, no class weights). Only the train and dev
files under `../shared/data/` are read, in place; the targets of issue 5 are for the held-out test
splits, so figures here are dev figures.

- Banking77: accuracy and macro-F1 on a stratified 20 % of train.csv (random_state 0).
- CLINC150: trained on train.jsonl with its "oos" rows as a class; on val.jsonl, in-scope accuracy
  (an in-scope row predicted "oos" or abstained counts wrong), out-of-scope recall (an oos row
  predicted "oos" or abstained), and abstention: precision of the predictions neither abstained
  nor "oos" (an in-scope label on an oos query is an error) and their coverage of in-scope rows.
  Each model abstains below its own threshold, chosen from out-of-fold confidences on the training
  data to reach the same target precision (TextClassifier in `fit`, 5 folds; the baseline by
  `cross_val_predict`, --folds 3 by default to keep the run short, and `abstention_threshold`).
  Accuracy without abstention is shown too.
- Airline tweets: sentiment macro-recall, and the negative reason as an intent-like label
  (accuracy, macro-F1 on negative rows with a reason), on a stratified 30 % of train.csv.
- Complaints: complaint vs not, macro-F1 on a stratified 30 % of train.csv.
- TweetEval sentiment: trained on the SemEval 2013-2016 pool, macro-recall on val.jsonl, with VADER
  (compound >= 0.05 positive, <= -0.05 negative, else neutral).
- The sentiment sets also show the shipped seed-trained sentiment model, which never saw them.
- Throughput: `TriageModel.triage` over a batch of TWCS sample posts (repeated to --batch),
  `TextClassifier.predict` of the shipped intent model alone beside the baseline's predict
  (trained on the seed intents), and the load time of `TriageModel.load()`.
- --embeddings adds, in the same run, `TextClassifier(embeddings=True)` (n-grams and MiniLM sentence
  vectors; needs the `embeddings` extra) beside every figure, as "with embeddings". Its throughput
  is a triage model of three such classifiers trained on the seed, over --batch // 5 distinct posts
  (numbered, since each post is encoded once per process and repeats would flatter it).

The full run takes about 10-15 minutes on 2 cores; --quick subsamples each big training set to
about 3,000 rows for a smoke run.

    python bench/triage.py [--quick] [--embeddings] [--sets banking77 clinc150 airline complaints tweeteval throughput]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, recall_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from socialcx.triage import TextClassifier, default_model
from socialcx.triage.model import abstention_threshold, cross_validated_target
from socialcx.triage.taxonomy import load_taxonomy
from socialcx.triage.triage import SEED, TASKS, TriageModel

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = ("banking77", "clinc150", "airline", "complaints", "tweeteval", "throughput")
QUICK_ROWS = 3_000
OOS = "oos"
WITH_EMBEDDINGS = "with embeddings"
TWEETEVAL_LABELS = {0: "negative", 1: "neutral", 2: "positive"}


@dataclass
class Row:
    """One printed figure: ours beside the baseline, with any extra comparison and the issue's target."""

    dataset: str
    metric: str
    ours: float
    baseline: float | None = None
    target: float | None = None
    lower_is_better: bool = False
    unit: str = ""  # "" for a fraction, "/s" for a rate, "s" for seconds
    others: tuple[tuple[str, float], ...] = ()

    def value(self, number: float | None) -> str:
        if number is None:
            return "-"
        if self.unit == "/s":
            return f"{number:,.0f}/s"
        return f"{number:.2f} s" if self.unit == "s" else f"{number:.4f}"

    def met(self) -> str:
        if self.target is None:
            return ""
        ok = self.ours <= self.target if self.lower_is_better else self.ours >= self.target
        return "yes" if ok else "no"

    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{'<=' if self.lower_is_better else '>='} {self.value(self.target)}"

    def line(self) -> str:
        text = f"{self.dataset} {self.metric}: ours {self.value(self.ours)}"
        if self.baseline is not None:
            text += f"  baseline {self.value(self.baseline)}"
        text += "".join(f"  {name} {self.value(number)}" for name, number in self.others)
        return text + (f"  (target {self.target_text()})" if self.target is not None else "")


def baseline() -> Pipeline:
    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        ),
        LogisticRegression(max_iter=1000),
    )


# --- data ---------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def split(items: list, labels: list[str], test_size: float) -> tuple[list, list[str], list, list[str]]:
    """Stratified split, random_state 0: train items, train labels, dev items, dev labels."""
    train, dev, train_labels, dev_labels = train_test_split(
        items, labels, test_size=test_size, stratify=labels, random_state=0
    )
    return train, train_labels, dev, dev_labels


def subsample(items: list, labels: list[str], rows: int | None) -> tuple[list, list[str]]:
    """A stratified subsample of `rows` rows (for --quick), or everything."""
    if rows is None or len(items) <= rows:
        return items, labels
    kept, _, kept_labels, _ = train_test_split(items, labels, train_size=rows, stratify=labels, random_state=0)
    return kept, kept_labels


# --- fitting and metrics --------------------------------------------------------------------------


def timed(function: Callable, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def fit_all(
    dataset: str, texts: list[str], labels: list[str], embeddings: bool
) -> tuple[TextClassifier, Pipeline, TextClassifier | None]:
    """Ours, the baseline, and ours with sentence embeddings when asked for (else None)."""
    ours, ours_seconds = timed(TextClassifier().fit, texts, labels)
    base, base_seconds = timed(baseline().fit, texts, labels)
    embedded, embedded_seconds = timed(TextClassifier(embeddings=True).fit, texts, labels) if embeddings else (None, 0)
    print(f"  [{dataset}: {len(texts):,} training rows, {len(set(labels))} classes; "
          f"fit ours {ours_seconds:.0f} s, baseline {base_seconds:.0f} s"
          + (f", with embeddings {embedded_seconds:.0f} s (encoding included)]" if embeddings else "]"), flush=True)
    return ours, base, embedded


def macro_recall(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return float(recall_score(truth, predicted, average="macro"))


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return float(f1_score(truth, predicted, average="macro"))


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return float(accuracy_score(truth, predicted))


def compare(
    dataset: str, texts: list[str], labels: list[str], dev: list[str], dev_labels: list[str],
    metrics: dict[str, tuple[Callable, float | None]], embeddings: bool,
) -> list[Row]:
    """Fit the models and score each metric (name -> (function, target)) on the dev part."""
    ours, base, embedded = fit_all(dataset, texts, labels, embeddings)
    ours_predicted, base_predicted = ours.predict(dev), base.predict(dev)
    embedded_predicted = embedded.predict(dev) if embedded is not None else None
    return [
        Row(dataset, name, function(dev_labels, ours_predicted), function(dev_labels, base_predicted), target,
            others=((WITH_EMBEDDINGS, function(dev_labels, embedded_predicted)),) if embedded is not None else ())
        for name, (function, target) in metrics.items()
    ]


def shipped_sentiment(texts: list[str]) -> np.ndarray:
    return default_model().sentiment.predict(texts)


# --- data sets -------------------------------------------------------------------------------------


def bench_banking77(data: Path, rows: int | None, embeddings: bool) -> list[Row]:
    table = read_csv(data / "banking77" / "train.csv")
    texts, labels, dev, dev_labels = split([r["text"] for r in table], [r["category"] for r in table], 0.2)
    texts, labels = subsample(texts, labels, rows)
    metrics = {"accuracy": (accuracy, 0.935), "macro-F1": (macro_f1, None)}
    return compare("banking77", texts, labels, dev, dev_labels, metrics, embeddings)


def bench_clinc150(data: Path, rows: int | None, folds: int, embeddings: bool) -> list[Row]:
    train = read_jsonl(data / "clinc150" / "train.jsonl")
    val = read_jsonl(data / "clinc150" / "val.jsonl")
    texts, labels = subsample([r["text"] for r in train], [r["intent"] for r in train], rows)
    dev, truth = [r["text"] for r in val], np.array([r["intent"] for r in val], dtype=object)
    ours, base, embedded = fit_all("clinc150", texts, labels, embeddings)

    our_labels, _, our_abstain = ours.predict_with_confidence(dev)
    probabilities = base.predict_proba(dev)
    base_labels = base.classes_[probabilities.argmax(axis=1)]
    target = cross_validated_target(ours.target_precision)
    base_threshold, seconds = timed(baseline_threshold, texts, labels, target, folds)
    print(f"  [clinc150: baseline threshold by {folds}-fold cross_val_predict in {seconds:.0f} s]", flush=True)
    base_abstain = probabilities.max(axis=1) < base_threshold

    ours_fig = clinc_figures(truth, our_labels, our_abstain)
    base_fig = clinc_figures(truth, base_labels, base_abstain)
    embedded_fig = {}
    if embedded is not None:
        embedded_labels, _, embedded_abstain = embedded.predict_with_confidence(dev)
        embedded_fig = clinc_figures(truth, embedded_labels, embedded_abstain)
    targets = {"in-scope accuracy": 0.95, "out-of-scope recall": 0.70, "precision (non-abstained)": 0.99,
               "in-scope coverage": 0.60}
    result = [
        Row("clinc150" if name in ("in-scope accuracy", "out-of-scope recall", "in-scope accuracy, no abstention")
            else "clinc150 abstention", name, ours_fig[name], base_fig[name], targets.get(name),
            others=((WITH_EMBEDDINGS, embedded_fig[name]),) if embedded_fig else ())
        for name in ours_fig
    ]
    result.append(Row("clinc150 abstention", "threshold", ours.threshold_, base_threshold,
                      others=((WITH_EMBEDDINGS, embedded.threshold_),) if embedded is not None else ()))
    return result


def baseline_threshold(texts: list[str], labels: list[str], target_precision: float, folds: int) -> float:
    """The baseline's abstention threshold, chosen as TextClassifier chooses its own: the lowest max
    probability at which out-of-fold predictions on the training data reach the (cross-validated)
    target precision."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    probabilities = cross_val_predict(baseline(), texts, labels, cv=splitter, method="predict_proba")
    classes = np.unique(labels)
    correct = classes[probabilities.argmax(axis=1)] == np.asarray(labels, dtype=object)
    return abstention_threshold(probabilities.max(axis=1), correct, target_precision)


def clinc_figures(truth: np.ndarray, predicted: np.ndarray, abstain: np.ndarray) -> dict[str, float]:
    """In-scope accuracy and oos recall with abstention read as "oos", then the precision of the
    predictions kept (neither abstained nor "oos") and their coverage of in-scope rows."""
    final = np.where(abstain, OOS, predicted)
    in_scope = truth != OOS
    kept = ~abstain & (predicted != OOS)
    return {
        "in-scope accuracy": float(np.mean(final[in_scope] == truth[in_scope])),
        "out-of-scope recall": float(np.mean(final[~in_scope] == OOS)),
        "in-scope accuracy, no abstention": float(np.mean(predicted[in_scope] == truth[in_scope])),
        "precision (non-abstained)": float(np.mean(predicted[kept] == truth[kept])) if kept.any() else float("nan"),
        "in-scope coverage": float(np.mean(kept[in_scope])),
    }


def bench_airline(data: Path, rows: int | None, embeddings: bool) -> list[Row]:
    table = read_csv(data / "airline_sentiment" / "train.csv")
    train, sentiments, dev, dev_sentiments = split(table, [r["airline_sentiment"] for r in table], 0.3)
    train, sentiments = subsample(train, sentiments, rows)
    metrics = {"sentiment macro-recall": (macro_recall, 0.80)}
    result = compare("airline", [r["text"] for r in train], sentiments, [r["text"] for r in dev],
                     dev_sentiments, metrics, embeddings)
    dev_texts = [r["text"] for r in dev]
    result[0].others += (("shipped seed model", macro_recall(dev_sentiments, shipped_sentiment(dev_texts))),)

    def with_reason(part: list[dict[str, str]]) -> tuple[list[str], list[str]]:
        kept = [r for r in part if r["airline_sentiment"] == "negative" and r["negativereason"]]
        return [r["text"] for r in kept], [r["negativereason"] for r in kept]

    reasons = {"negative-reason accuracy": (accuracy, None), "negative-reason macro-F1": (macro_f1, None)}
    result += compare("airline", *with_reason(train), *with_reason(dev), reasons, embeddings)
    return result


def bench_complaints(data: Path, rows: int | None, embeddings: bool) -> list[Row]:
    table = read_csv(data / "complaints" / "train.csv")
    texts, labels, dev, dev_labels = split([r["text"] for r in table], [r["label"] for r in table], 0.3)
    texts, labels = subsample(texts, labels, rows)
    return compare("complaints", texts, labels, dev, dev_labels, {"macro-F1": (macro_f1, 0.87)}, embeddings)


def bench_tweeteval(data: Path, rows: int | None, embeddings: bool) -> list[Row]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    folder = data / "tweeteval_sentiment"
    train, val = read_jsonl(folder / "train_semeval2013_2016.jsonl"), read_jsonl(folder / "val.jsonl")
    texts, labels = subsample([r["text"] for r in train], [TWEETEVAL_LABELS[r["label"]] for r in train], rows)
    dev, dev_labels = [r["text"] for r in val], [TWEETEVAL_LABELS[r["label"]] for r in val]
    result = compare("tweeteval", texts, labels, dev, dev_labels, {"sentiment macro-recall": (macro_recall, None)},
                     embeddings)
    analyzer = SentimentIntensityAnalyzer()
    compound = np.array([analyzer.polarity_scores(text)["compound"] for text in dev])
    vader = np.where(compound >= 0.05, "positive", np.where(compound <= -0.05, "negative", "neutral"))
    result[0].others += (
        ("VADER", macro_recall(dev_labels, vader)),
        ("shipped seed model", macro_recall(dev_labels, shipped_sentiment(dev))),
    )
    return result


def bench_throughput(data: Path, batch: int, embeddings: bool) -> list[Row]:
    model = default_model()  # trains and saves the shipped artefacts if they are missing
    load_seconds = min(timed(TriageModel.load)[1] for _ in range(2))
    sample = [r["text"] for r in read_jsonl(data / "twcs_sample" / "sample.jsonl")]
    posts = (sample * (batch // len(sample) + 1))[:batch]
    model.triage(posts[:200])  # warm-up
    triage_seconds = min(timed(model.triage, posts)[1] for _ in range(2))
    predict_seconds = min(timed(model.intent.predict, posts)[1] for _ in range(2))
    seed = read_csv(SEED)
    base = baseline().fit([r["text"] for r in seed], [r["intent"] for r in seed])
    base_seconds = min(timed(base.predict, posts)[1] for _ in range(2))
    name = f"throughput ({batch:,} TWCS posts)"
    result = [
        Row(name, "triage", batch / triage_seconds, None, 2_000, unit="/s"),
        Row(name, "intent predict", batch / predict_seconds, batch / base_seconds, unit="/s"),
        Row("model", "load time", load_seconds, unit="s"),
    ]
    if embeddings:
        result.append(embedded_throughput(seed, sample, batch // 5))
    return result


def embedded_throughput(seed: list[dict[str, str]], sample: list[str], count: int) -> Row:
    """Triage with three `TextClassifier(embeddings=True)` trained on the seed, over `count`
    distinct posts: numbered, because each post is encoded once per process."""
    texts = [r["text"] for r in seed]
    intent, sentiment, urgency = (TextClassifier(embeddings=True).fit(texts, [r[task] for r in seed]) for task in TASKS)
    model = TriageModel(intent, sentiment, urgency, load_taxonomy())
    posts = [f"{text} ({number})" for number, text in enumerate((sample * (count // len(sample) + 1))[:count])]
    seconds = timed(model.triage, posts)[1]
    return Row(f"throughput ({count:,} distinct TWCS posts)", f"triage {WITH_EMBEDDINGS}", count / seconds, unit="/s")


# --- output ---------------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    header = ("data set", "metric", "ours", "baseline", "others", "target", "met")
    cells = [
        (r.dataset, r.metric, r.value(r.ours), r.value(r.baseline),
         ", ".join(f"{name} {r.value(number)}" for name, number in r.others), r.target_text(), r.met())
        for r in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *cells, strict=True)]
    for line in (header, tuple("-" * width for width in widths), *cells):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", choices=SETS, default=list(SETS))
    parser.add_argument("--quick", action="store_true", help=f"subsample big training sets to {QUICK_ROWS:,} rows")
    parser.add_argument("--batch", type=int, default=10_000, help="posts per triage batch for throughput")
    parser.add_argument("--folds", type=int, default=3,
                        help="folds of the baseline's cross_val_predict for its CLINC150 threshold (ours uses 5)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--embeddings", action="store_true",
                        help="also run TextClassifier(embeddings=True) (needs the embeddings extra)")
    args = parser.parse_args()
    rows = QUICK_ROWS if args.quick else None
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"data: {args.data}; {'quick run, training sets <= 3,000 rows' if args.quick else 'full run'}; "
          f"{os.cpu_count()} cores, load average {load:.1f} at start", flush=True)
    runs = {
        "banking77": lambda: bench_banking77(args.data, rows, args.embeddings),
        "clinc150": lambda: bench_clinc150(args.data, rows, args.folds, args.embeddings),
        "airline": lambda: bench_airline(args.data, rows, args.embeddings),
        "complaints": lambda: bench_complaints(args.data, rows, args.embeddings),
        "tweeteval": lambda: bench_tweeteval(args.data, rows, args.embeddings),
        "throughput": lambda: bench_throughput(args.data, args.batch, args.embeddings),
    }
    results: list[Row] = []
    started = time.perf_counter()
    for name in args.sets:
        print(f"\n[{name}]", flush=True)
        rows_here, seconds = timed(runs[name])
        for row in rows_here:
            print(row.line(), flush=True)
        print(f"  [{name} took {seconds:.0f} s]", flush=True)
        results += rows_here
    print(f"\nsummary (dev figures; targets are for the held-out test splits), "
          f"{time.perf_counter() - started:.0f} s in all:")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
