"""`socialcx inbox …`, `socialcx kpis` and `socialcx train --with-feedback` from a terminal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from socialcx.care.inbox import enqueue
from socialcx.cli import app
from socialcx.store import Feedback, InboxItem, OutboxReply, connect
from tests.care.inbox.conftest import add_mention


@pytest.fixture
def items(database_url, tmp_path) -> dict[str, int]:
    """A config on each backend, and an inbox of four items."""
    (tmp_path / "socialcx.toml").write_text(f'database_url = "{database_url}"\n')
    now = datetime.now(UTC)
    engine = connect(database_url)
    with engine.begin() as db:
        ids = {
            "normal": add_mention(db, posted=now, text="where is my parcel"),
            "critical": add_mention(db, posted=now, urgency="critical", risks=("safety",), text="[red]charger[/] caught fire"),
            "spam": add_mention(db, posted=now, intent="spam", urgency="low", text="win free followers"),
            "hn": add_mention(db, posted=now, channel="hackernews", url="https://news.ycombinator.com/item?id=7"),
        }
        for mention_id in ids.values():
            enqueue(db, mention_id, reason="needs a human", now=now, draft="Hi there")
    engine.dispose()
    return ids


def run(*args: str, **env: str):
    return CliRunner().invoke(app, list(args), env=env or None)


def _stored(database_url: str, query: sa.Select) -> list:
    engine = connect(database_url)
    with engine.connect() as db:
        rows = db.execute(query).all()
    engine.dispose()
    return rows


def test_list_shows_the_most_urgent_first(items):
    result = run("inbox", "list")

    assert result.exit_code == 0, result.output
    numbers = [line.split("│")[1].strip() for line in result.output.splitlines() if line.startswith("│")]
    assert [number for number in numbers if number] == [str(items[key]) for key in ("critical", "normal", "hn", "spam")]
    assert "in 14m" in result.output


def test_agents_claim_reply_and_are_refused_in_one_line(items, database_url):
    assert run("inbox", "claim", str(items["normal"]), "--agent", "maya").output == f"#{items['normal']} is yours, maya.\n"

    taken = run("inbox", "reply", str(items["normal"]), "On its way!", SOCIALCX_AGENT="omar")
    assert taken.exit_code == 1
    assert taken.output == f"error: cannot reply to #{items['normal']}: maya has claimed it\n"

    replied = run("inbox", "reply", str(items["normal"]), "On its way!", SOCIALCX_AGENT="maya")
    assert replied.exit_code == 0 and "queued (outbox #" in replied.output
    read_only = run("inbox", "approve", str(items["hn"]), "--agent", "maya")
    assert read_only.exit_code == 1
    assert read_only.output.strip().endswith("answer on the site: https://news.ycombinator.com/item?id=7")
    assert _stored(database_url, sa.select(OutboxReply.mention_id, OutboxReply.origin, OutboxReply.agent)) == [
        (items["normal"], "agent", "maya")
    ]


def test_show_relabel_escalate_ignore_and_kpis(items, database_url):
    shown = run("inbox", "show", str(items["critical"]))
    assert shown.exit_code == 0, shown.output
    assert "critical" in shown.output and "risks: safety" in shown.output and "Draft: Hi there" in shown.output

    relabelled = run("inbox", "relabel", str(items["normal"]), "--intent", "spam", "--agent", "maya")
    assert relabelled.output == f"#{items['normal']} intent: order_status → spam (kept as feedback).\n"
    escalated = run("inbox", "escalate", str(items["normal"]))
    assert escalated.output == f"#{items['normal']} escalated: high, due in 1h00m.\n"
    assert run("inbox", "ignore", "--all-spam", "--agent", "omar").output == "Ignored 2 spam items.\n"
    assert run("inbox", "ignore").output == "error: name the items to ignore, or use --all-spam (not both)\n"

    assert _stored(database_url, sa.select(Feedback.field, Feedback.new, Feedback.agent)) == [("intent", "spam", "maya")]
    statuses = dict(_stored(database_url, sa.select(InboxItem.mention_id, InboxItem.status)))
    assert statuses == {items["normal"]: "ignored", items["critical"]: "open", items["spam"]: "ignored", items["hn"]: "open"}
    report = run("kpis", "--since", "1d")
    assert report.exit_code == 0, report.output
    assert "4 mentions, 0 answered" in report.output and "Backlog: 2 items waiting" in report.output


def test_train_needs_input_unless_with_feedback(tmp_path):
    (tmp_path / "socialcx.toml").write_text(f'database_url = "sqlite:///{tmp_path / "db.sqlite"}"\n')

    plain = run("train")
    with_feedback = run("train", "--with-feedback")

    assert plain.exit_code == 1 and plain.output.startswith("error: --input is needed")
    assert with_feedback.exit_code == 1
    assert with_feedback.output == "error: no relabelled mentions to learn from; relabel some with `socialcx inbox relabel`\n"


def test_a_post_socialcx_gave_up_reading_is_listed_with_its_reason(items, database_url):
    import asyncio

    from socialcx import Batch, Channel, ManualClock, Mention, ingest
    from socialcx.collect.ingest import retry_dead_letters

    engine = connect(database_url)
    clock = ManualClock(datetime.now(UTC))
    broken = Mention(external_id="t1_gone", text=None, created_at="2026-11-25T08:00:00Z")
    ingest(engine, Batch(Channel.REDDIT, "acme", [broken]), clock=clock)
    asyncio.run(retry_dead_letters(engine, Channel.REDDIT, "acme", None, limit=25, clock=clock))
    engine.dispose()

    listed = run("inbox", "list", COLUMNS="200")
    status = run("status", COLUMNS="200")

    assert listed.exit_code == 0, listed.output
    assert "Could not read 1 post" in listed.output and "t1_gone" in listed.output
    assert "text: Input should be a valid string; reddit cannot look a post up again" in listed.output
    assert status.exit_code == 0, status.output
    [row] = [line for line in status.output.splitlines() if "reddit" in line and "acme" in line and "ago" in line]
    assert [cell.strip() for cell in row.split("│")[3:6]] == ["1", "0", "1"]
