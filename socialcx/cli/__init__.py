"""The `socialcx` command. Errors are one clear sentence and a non-zero exit; `--debug` shows the trace.

One module per command group (`admin`, `mentions`, `poll`, `triage`, `spikes`, `sandbox`, `inbox`,
`incidents`, `plans`, `replies`, `mail`, `bench`, `web`); what they share is in `app`. This module is the command table: it registers
the commands in the order `socialcx --help` lists them. A command imports what it needs when it
runs, so `socialcx --help` loads neither the store nor the triage model.
"""

from __future__ import annotations

import sys

from rich.text import Text

from socialcx.cli import admin, bench, inbox, incidents, mail, mentions, plans, poll, replies, sandbox, spikes, triage, web
from socialcx.cli.app import app, errors

__all__ = ["app", "main"]

app.command()(admin.init)
app.command("sandbox")(sandbox.sandbox_command)
app.command()(admin.status)
app.command()(poll.poll)
app.command()(poll.run)
app.command()(triage.train)
app.command()(triage.classify)
app.command()(triage.retriage)
app.command()(admin.connectors)
app.command()(spikes.spikes)
app.command()(spikes.trends)
app.command()(spikes.backtest)
app.command()(sandbox.demo)
app.command()(inbox.kpis)
app.command("resolve-bench")(bench.resolve_bench)
app.command()(replies.pause)
app.command()(replies.resume)
app.command()(replies.send)
app.command()(web.web)
app.add_typer(admin.db_app, name="db")
app.add_typer(mentions.mentions_app, name="mentions")
app.add_typer(inbox.inbox_app, name="inbox")
app.add_typer(incidents.incident_app, name="incident")
app.add_typer(plans.plans_app, name="plans")
app.add_typer(replies.playbook_app, name="playbook")
app.add_typer(mail.mail_app, name="mail")
app.add_typer(web.user_app, name="user")


def main() -> None:
    """Console-script entry point: even an error nobody foresaw ends in one line, not a trace."""
    try:
        app()
    except Exception as exc:
        if "--debug" in sys.argv:
            raise
        errors.print(Text(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the trace)"))
        sys.exit(1)
