"""The public labelled tweets the shipped sentiment model learns from, and the parts of them held
out to measure it.

They are read in place from a data folder (`../shared/data` beside the repository when
developing) and never copied or shipped. `models/triage/build_default.py` trains on
`sentiment_training_rows`; `bench/triage.py` measures on `airline_parts(...)[1]` and
`tweeteval_val`. One definition of the split serves both, so no measured tweet was trained on.
"""

from __future__ import annotations

from pathlib import Path

from sklearn.model_selection import train_test_split

from socialcx.triage.files import read_table

__all__ = ["AIRLINE_HOLDOUT", "airline_parts", "sentiment_training_rows", "tweeteval_pool", "tweeteval_val"]

AIRLINE_HOLDOUT = 0.3  # of airline_sentiment/train.csv, stratified by sentiment, random_state 0
_TWEETEVAL_SENTIMENTS = ("negative", "neutral", "positive")  # tweeteval_sentiment/mapping.txt


def airline_parts(data: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The airline tweets (`tweet_id, airline, text, airline_sentiment, negativereason`) split
    into a training part and a held-out part."""
    rows = read_table(data / "airline_sentiment" / "train.csv", ("text", "airline_sentiment"))
    train, held_out = train_test_split(
        rows, test_size=AIRLINE_HOLDOUT, stratify=[row["airline_sentiment"] for row in rows], random_state=0
    )
    return train, held_out


def tweeteval_pool(data: Path) -> list[tuple[str, str]]:
    """(text, sentiment) of the SemEval 2013-2016 training pool, TweetEval's stand-in train split."""
    return _tweeteval(data / "tweeteval_sentiment" / "train_semeval2013_2016.jsonl")


def tweeteval_val(data: Path) -> list[tuple[str, str]]:
    """(text, sentiment) of TweetEval's validation split."""
    return _tweeteval(data / "tweeteval_sentiment" / "val.jsonl")


def sentiment_training_rows(data: Path) -> list[tuple[str, str]]:
    """(text, sentiment) of every public tweet the shipped sentiment model learns from: the
    TweetEval pool and the training part of the airline tweets."""
    airline = [(row["text"], row["airline_sentiment"]) for row in airline_parts(data)[0]]
    return tweeteval_pool(data) + airline


def _tweeteval(path: Path) -> list[tuple[str, str]]:
    return [(row["text"], _TWEETEVAL_SENTIMENTS[row["label"]]) for row in read_table(path, ("text",))]
