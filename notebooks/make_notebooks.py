"""Write the analyst notebooks from the cells below, outputs stripped: edit here, then run
`python notebooks/make_notebooks.py`. The tests execute every notebook against a fresh store."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent

# Every notebook opens the same store: SOCIALCX_DATABASE_URL when set, else the demo's, found
# from the repository whether Jupyter starts in notebooks/ or at the root.
SETUP = '''\
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from socialcx.ops import analytics

root = next(folder for folder in (Path.cwd(), *Path.cwd().parents) if (folder / "pyproject.toml").exists())
url = os.environ.get("SOCIALCX_DATABASE_URL") or f"sqlite:///{root / 'demo-out' / 'socialcx.db'}"
db = analytics.connect(url)
print("Reading", url.split("@")[-1])'''


def notebook(title: str, intro: str, *cells: tuple[str, str]) -> nbformat.NotebookNode:
    body = [new_markdown_cell(f"# {title}\n\n{intro}"), new_code_cell(SETUP)]
    for kind, source in cells:
        body.append(new_markdown_cell(source) if kind == "md" else new_code_cell(source))
    return new_notebook(
        cells=body,
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


md = lambda text: ("md", text)  # noqa: E731
code = lambda text: ("code", text)  # noqa: E731

NOTEBOOKS = {
    "01-volume-and-sentiment.ipynb": notebook(
        "Volume and sentiment",
        "How much people said about us, where, and in what mood. Run `make demo` first, or set "
        "`SOCIALCX_DATABASE_URL` to your own store.",
        md("## Mentions\n\nOne row per stored mention with its triage. `intent_corrected` holds an agent's "
           "correction where there is one."),
        code('mentions = analytics.mentions(db)\n'
             'print(f"{len(mentions):,} mentions", "" if mentions.empty else f"from {mentions.created_at.min():%Y-%m-%d %H:%M} to {mentions.created_at.max():%Y-%m-%d %H:%M} UTC")\n'
             'mentions.head()'),
        md("## Volume by channel over time\n\nHourly counts, aggregated in the database. A daily rhythm is "
           "normal; a wall standing out of it is what the spike detector alerts on."),
        code('hourly = analytics.volume(db, freq="1h", by=["channel"])\n'
             'if hourly.empty:\n'
             '    print("No mentions stored yet: run `make demo` or the daemon first.")\n'
             'else:\n'
             '    table = hourly.pivot_table(index="bucket", columns="channel", values="mentions", aggfunc="sum", observed=True).fillna(0)\n'
             '    table.plot.area(figsize=(10, 4), title="Mentions per hour by channel", linewidth=0)\n'
             '    plt.ylabel("mentions"); plt.show()'),
        md("## Volume by watch\n\nEach watch is one thing you follow (a brand, a product, a campaign)."),
        code('by_watch = analytics.volume(db, freq="1D", by=["watch"])\n'
             'by_watch.pivot_table(index="bucket", columns="watch", values="mentions", aggfunc="sum", observed=True) if not by_watch.empty else "No mentions yet."'),
        md("## Sentiment trend\n\nShare of negative, neutral and positive mentions per hour (agents' corrections "
           "counted). A rising negative share with flat volume is an early sign of trouble."),
        code('mood = analytics.volume(db, freq="1h", by=["sentiment"])\n'
             'if mood.empty:\n'
             '    print("No triaged mentions yet.")\n'
             'else:\n'
             '    shares = mood.pivot_table(index="bucket", columns="sentiment", values="mentions", aggfunc="sum", observed=True).fillna(0)\n'
             '    shares = shares.div(shares.sum(axis=1), axis=0)\n'
             '    shares.plot(figsize=(10, 4), title="Sentiment share per hour"); plt.ylabel("share"); plt.show()'),
        md("## Top intents\n\nWhat people want from us, with the share that was negative."),
        code('if mentions.empty:\n'
             '    print("No mentions yet.")\n'
             'else:\n'
             '    intent = mentions.intent_corrected.astype("object").fillna(mentions.intent.astype("object")).fillna("untriaged")\n'
             '    top = pd.DataFrame({"mentions": intent.value_counts(), "negative": (mentions.sentiment == "negative").groupby(intent).mean()})\n'
             '    top["mentions"].sort_values().plot.barh(figsize=(8, 5), title="Mentions by intent"); plt.show()\n'
             '    display(top.sort_values("mentions", ascending=False).style.format({"negative": "{:.0%}"}))'),
    ),
    "02-response-kpis.ipynb": notebook(
        "Response KPIs",
        "How fast and how well the team answers: first response time, automation rate and SLA breaches, "
        "with the same definitions as `socialcx kpis` and the daily digest (`socialcx.care.kpis`).",
        md("## Overall\n\nFirst response time runs from a mention being posted to the first reply to it being "
           "sent. The automation rate is replies sent automatically over mentions answered. An SLA breach is an "
           "inbox item answered (or closed) after its due time, or still waiting past it. The backlog is what "
           "waits for a person now. \"Now\" is the newest mention here, so a demo store reads as it did then."),
        code('replies = analytics.replies(db)\n'
             'latest = analytics.mentions(db).created_at.max()\n'
             'now = None if pd.isna(latest) else latest\n'
             'analytics.kpis(db, now=now)'),
        md("## By channel, intent and agent"),
        code('for key in ("channel", "intent", "agent"):\n'
             '    display(analytics.kpis(db, by=[key], now=now))'),
        md("## First response times\n\nThe distribution of first response times by responder: automatic "
           "replies should sit near the polling interval, people's replies show the team's rhythm."),
        code('sent = replies[replies.state == "sent"]\n'
             'if sent.empty:\n'
             '    print("No replies sent yet.")\n'
             'else:\n'
             '    minutes = sent.first_response.dt.total_seconds() / 60\n'
             '    fig, ax = plt.subplots(figsize=(9, 4))\n'
             '    for responder, values in minutes.groupby(sent.responder, observed=True):\n'
             '        ax.hist(values, bins=30, alpha=0.6, label=str(responder))\n'
             '    ax.set(xlabel="minutes to first response", ylabel="replies", title="First response time"); ax.legend(); plt.show()'),
        md("## Where the team loses time\n\nItems people handled, by intent: the slowest median first "
           "response at the top, and the SLA breach rate beside it. Those intents are where a template, an "
           "automated action or more people on shift would help most."),
        code('by_intent = analytics.kpis(db, by=["intent"], now=now)\n'
             'slow = by_intent.dropna(subset=["frt_p50"]).sort_values("frt_p50", ascending=False)\n'
             'if slow.empty:\n'
             '    print("Nothing answered yet.")\n'
             'else:\n'
             '    (slow.frt_p50.dt.total_seconds() / 60).plot.barh(figsize=(8, 5), title="Median first response (minutes) by intent"); plt.show()\n'
             '    display(slow[["answered", "frt_p50", "frt_p90", "sla_items", "sla_breach_rate", "backlog"]])'),
    ),
    "03-spike-postmortem.ipynb": notebook(
        "Spike post-mortem",
        "One alert, taken apart: the series against its expected band, how early we knew, what people were "
        "saying, who answered, and how long the backlog took to clear. The notebook picks the largest alert; "
        "set `ALERT_ID` to look at another.",
        code('ALERT_ID = None  # or an alert number from the table below\n'
             'alerts = analytics.alerts(db)\n'
             'alerts[["alert_id", "watch", "status", "slice", "topic", "opened_at", "resolved_at", "observed", "expected", "peak"]]'),
        code('if alerts.empty:\n'
             '    alert = None\n'
             '    print("No alerts yet: the spike detector has not seen a surge in this store.")\n'
             'else:\n'
             '    alert = alerts.set_index("alert_id").loc[ALERT_ID] if ALERT_ID else alerts.sort_values("peak").iloc[-1]\n'
             '    print(f"Alert #{alert.name if ALERT_ID else alert.alert_id} on {alert.watch}: {alert.topic} ({alert.status})")'),
        md("## The series against its expected band\n\nThe counts of the series that raised the alert, replayed "
           "through the spike detector from the first stored bucket: the line is what the detector expected for "
           "that hour of that weekday, the band reaches up to where a count starts to look surprising. Lead time is from the first mention of the surge to "
           "the alert."),
        code('from datetime import timedelta\n'
             'import sqlalchemy as sa\n'
             'from socialcx.spikes.detector import DetectorParams, SpikeDetector\n'
             'from socialcx.spikes.incidents import series_steps\n'
             'from socialcx.store import SpikeCount, SpikeSeries\n'
             '\n'
             'if alert is not None:\n'
             '    with db.connect() as connection:\n'
             '        rows = connection.execute(sa.select(SpikeCount.bucket_start, SpikeCount.count).where(\n'
             '            SpikeCount.watch == alert.watch, SpikeCount.channel == alert.channel, SpikeCount.slice == alert.slice)).all()\n'
             '        seconds = connection.execute(sa.select(SpikeSeries.bucket_seconds).where(\n'
             '            SpikeSeries.watch == alert.watch, SpikeSeries.channel == alert.channel, SpikeSeries.slice == alert.slice)).scalar()\n'
             '    counts = {row.bucket_start: row.count for row in rows}\n'
             '    bucket = timedelta(seconds=seconds or 300)\n'
             '    start, end = min(counts), max(max(counts), alert.opened_at.to_pydatetime() + timedelta(hours=6)) + bucket\n'
             '    steps = series_steps(SpikeDetector(DetectorParams(bucket=bucket)), counts, start, end)\n'
             '    series = pd.DataFrame({"observed": [s.observed for s in steps], "expected": [s.expected for s in steps], "upper": [s.upper for s in steps]},\n'
             '                          index=pd.DatetimeIndex([s.at for s in steps]))\n'
             '    window = series[alert.opened_at - pd.Timedelta(hours=12): alert.opened_at + pd.Timedelta(hours=6)]\n'
             '    spread = window.upper - window.expected\n'
             '    fig, ax = plt.subplots(figsize=(10, 4))\n'
             '    ax.fill_between(window.index, (window.expected - spread).clip(lower=0), window.expected + spread, alpha=0.2, label="expected band")\n'
             '    ax.plot(window.index, window.expected, label="expected"); ax.step(window.index, window.observed, where="post", label="observed")\n'
             '    ax.axvline(alert.opened_at, color="red", linestyle="--", label="alert")\n'
             '    ax.set(title=f"{alert.slice} on {alert.channel}, per {bucket}", ylabel="mentions"); ax.legend(); plt.show()\n'
             '    surge = window[(window.observed > window.expected + spread) & (window.index <= alert.opened_at)]\n'
             '    first = surge.index.min() if not surge.empty else alert.opened_at\n'
             '    print(f"Surge began {first:%Y-%m-%d %H:%M}, alert at {alert.opened_at:%H:%M}: lead time {alert.opened_at - first}.")'),
        md("## What people were saying\n\nThe terms that surged against the baseline, and the intent and "
           "sentiment mix, as the alert email showed them."),
        code('if alert is not None:\n'
             '    explanation = alert.explanation or {}\n'
             '    terms = pd.DataFrame(explanation.get("terms", []))\n'
             '    display(terms if not terms.empty else "No surging terms recorded.")\n'
             '    print({key: value for key, value in explanation.items() if key not in ("terms", "samples")})'),
        md("## Who answered, and how long the backlog took to clear\n\nMentions posted during the alert: "
           "answered automatically, by people, or waiting. The backlog line counts items still waiting at each "
           "moment; it has cleared when it returns to zero."),
        code('if alert is not None:\n'
             '    until = alert.resolved_at if pd.notna(alert.resolved_at) else alert.updated_at\n'
             '    during = analytics.mentions(db, since=alert.opened_at - pd.Timedelta(hours=1), until=until + pd.Timedelta(minutes=5), watches=[alert.watch])\n'
             '    replies = analytics.replies(db).set_index("mention_id")\n'
             '    inbox = analytics.inbox(db).set_index("mention_id")\n'
             '    sent = replies[replies.state == "sent"].responder.astype("object")\n'
             '    answered_by = during.mention_id.map(sent).fillna(during.mention_id.map(inbox.status.astype("object")).map(lambda s: "waiting" if s in ("open", "claimed", "escalated") else s)).fillna("not routed")\n'
             '    print(answered_by.value_counts().to_string())\n'
             '    items = inbox[inbox.index.isin(during.mention_id)]\n'
             '    if items.empty:\n'
             '        print("None of these mentions went to people.")\n'
             '    else:\n'
             '        done = items.first_response_at.fillna(items.resolved_at)\n'
             '        events = pd.concat([pd.Series(1, index=items.created_at), pd.Series(-1, index=done.dropna())]).sort_index()\n'
             '        backlog = events.cumsum()\n'
             '        backlog.plot(drawstyle="steps-post", figsize=(10, 3), title="Items from this alert waiting for a person"); plt.show()\n'
             '        cleared = backlog[backlog == 0].index.max() if (backlog == 0).any() else None\n'
             '        print("Backlog cleared at", cleared if cleared is not None else "— not yet")'),
    ),
    "04-triage-quality.ipynb": notebook(
        "Triage quality",
        "How good the triage model is on your own traffic, judged by your agents' corrections: a mention an "
        "agent handled and left as it was counts as right, one they relabelled as wrong. Only handled mentions "
        "are judged, so read the numbers as a sample.",
        code('mentions = analytics.mentions(db)\n'
             'inbox = analytics.inbox(db)\n'
             'replies = analytics.replies(db)\n'
             'handled = set(inbox.mention_id[inbox.status.isin(["replied", "resolved"])]) | set(replies.mention_id[replies.responder == "human"])\n'
             'judged = mentions[mentions.mention_id.isin(handled) & mentions.intent.notna()].copy()\n'
             'judged["truth"] = judged.intent_corrected.astype("object").fillna(judged.intent.astype("object"))\n'
             'judged["correct"] = judged.truth == judged.intent.astype("object")\n'
             'print(f"{len(judged):,} mentions handled by agents, {int((~judged.correct).sum()):,} relabelled.")'),
        md("## How sure the model is, intent by intent\n\nOver every triaged mention, judged or not: the share "
           "the model abstained on (left to people) and its median confidence. Intents with a high abstention "
           "share need more examples in the training data before any of them can be answered automatically."),
        code('triaged = mentions[mentions.intent.notna()]\n'
             'if triaged.empty:\n'
             '    print("No triaged mentions yet.")\n'
             'else:\n'
             '    sureness = triaged.groupby(triaged.intent.astype("object")).agg(mentions=("mention_id", "size"), abstained=("abstained", "mean"), median_confidence=("confidence", "median"))\n'
             '    sureness.sort_values("abstained").abstained.plot.barh(figsize=(7, 5), title="Share abstained, by intent", xlim=(0, 1)); plt.show()\n'
             '    display(sureness.sort_values("mentions", ascending=False))'),
        md("## Confusion matrix\n\nRows are what agents said, columns what the model said. Off-diagonal cells "
           "are the confusions worth fixing with more examples."),
        code('if judged.empty:\n'
             '    print("No mentions handled by agents yet: nothing to judge the model by.")\n'
             'else:\n'
             '    confusion = pd.crosstab(judged.truth, judged.intent.astype("object"))\n'
             '    fig, ax = plt.subplots(figsize=(7, 6))\n'
             '    ax.imshow(confusion, cmap="Blues")\n'
             '    ax.set_xticks(range(len(confusion.columns)), confusion.columns, rotation=90); ax.set_yticks(range(len(confusion.index)), confusion.index)\n'
             '    for (i, j), value in pd.DataFrame(confusion.values).stack().items():\n'
             '        ax.text(j, i, value, ha="center", va="center", fontsize=8)\n'
             '    ax.set(xlabel="model", ylabel="agents", title="Intent: agents vs model"); plt.show()'),
        md("## Confidence vs correctness (calibration)\n\nA calibrated model that says 80 % is right about 80 % "
           "of the time: points on the diagonal. Points below it mean the model is overconfident there."),
        code('if judged.empty:\n'
             '    print("Nothing to calibrate against yet.")\n'
             'else:\n'
             '    bins = pd.cut(judged.confidence, [0, .2, .4, .6, .7, .8, .9, 1.0])\n'
             '    calibration = judged.groupby(bins, observed=True).agg(confidence=("confidence", "mean"), accuracy=("correct", "mean"), mentions=("correct", "size"))\n'
             '    fig, ax = plt.subplots(figsize=(5, 5))\n'
             '    ax.plot([0, 1], [0, 1], linestyle="--", color="grey")\n'
             '    ax.scatter(calibration.confidence, calibration.accuracy, s=calibration.mentions * 5)\n'
             '    ax.set(xlabel="stated confidence", ylabel="share correct", title="Calibration", xlim=(0, 1), ylim=(0, 1.05)); plt.show()\n'
             '    display(calibration)'),
        md("## Abstention\n\nThe model abstains (sends to people) when unsure. Coverage is the share it answered "
           "for; precision the share of those it got right. Abstaining more buys precision with coverage."),
        code('if judged.empty:\n'
             '    print("Nothing to judge yet.")\n'
             'else:\n'
             '    confident = judged[~judged.abstained.fillna(True)]\n'
             '    print(f"Coverage {len(confident) / len(judged):.0%}, precision when not abstaining "\n'
             '          f"{confident.correct.mean() if len(confident) else float(\'nan\'):.0%}, precision when abstaining "\n'
             '          f"{judged[judged.abstained.fillna(True)].correct.mean():.0%}.")'),
        md("## Which intents to switch from `draft` to `auto` next\n\nAn intent is a candidate when agents "
           "rarely correct it, it is confident, and it has volume. Change its `mode` in the playbook once the "
           "drafts read well."),
        code('if judged.empty:\n'
             '    print("Nothing to judge yet.")\n'
             'else:\n'
             '    candidates = judged.groupby(judged.intent.astype("object")).agg(handled=("correct", "size"), precision=("correct", "mean"), confidence=("confidence", "mean"))\n'
             '    candidates["verdict"] = ["switch to auto" if p >= 0.95 and n >= 10 else "keep as draft" for p, n in zip(candidates.precision, candidates.handled)]\n'
             '    candidates.sort_values(["precision", "handled"], ascending=False).precision.plot.barh(figsize=(7, 4), title="Precision on handled mentions", xlim=(0, 1)); plt.show()\n'
             '    display(candidates.sort_values(["precision", "handled"], ascending=False))'),
    ),
}


def main() -> None:
    for name, book in NOTEBOOKS.items():
        nbformat.validate(book)
        nbformat.write(book, HERE / name)


if __name__ == "__main__":
    main()
