"""`socialcx mail send|preview`: alert, digest and silent-watch emails (`socialcx.ops.alerts`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from socialcx.cli.app import _Context, _Group, console, errors
from socialcx.errors import UsageError

mail_app = typer.Typer(cls=_Group, help="Alert, digest and silent-watch emails.", no_args_is_help=True)


@mail_app.command("send")
def mail_send(
    ctx: typer.Context,
    digest: Annotated[bool, typer.Option("--digest", help="Also queue yesterday's digest (days in the inbox's time zone).")] = False,
) -> None:
    """Queue the emails due (alerts, silent watches) and send every pending one, once each; exit
    status 1 if some must wait for the mail server or were refused."""
    from datetime import timedelta

    from socialcx.ops.alerts import deliver, queue_alert_emails, queue_digest, queue_silent_watches

    state: _Context = ctx.obj
    settings, engine, clock = state.settings, state.engine(), state.clock
    if not settings.mail.recipients:
        raise UsageError("no one to mail: set recipients in the [mail] section of the config")
    queued = queue_alert_emails(engine, settings, clock) + queue_silent_watches(engine, settings, clock)
    if digest:
        queued += queue_digest(engine, settings, clock, clock.now().astimezone(settings.inbox.zone).date() - timedelta(days=1))
    with console.status(f"Sending to {settings.mail.host}:{settings.mail.port}…"):
        report = deliver(engine, settings, clock)
    parts = [f"{queued} queued", f"{report.sent} sent" + (f" ({report.resent} again, same Message-ID)" if report.resent else "")]
    if report.waiting:
        due = f" (next try at {report.next_try.astimezone(settings.inbox.zone):%H:%M})" if report.next_try else ""
        parts.append(f"[yellow]{report.waiting} waiting for the mail server{due}[/]")
    if report.failed:
        parts.append(f"[red]{report.failed} refused for good[/]")
    console.print("Mail: " + ", ".join(parts) + ".")
    if report.error and (report.waiting or report.failed):
        errors.print(Text(f"mail: {report.error}"))
    if report.waiting or report.failed:
        raise typer.Exit(1)


@mail_app.command("preview")
def mail_preview(
    ctx: typer.Context,
    alert: Annotated[int, typer.Option("--alert", help="The alert's number, as `socialcx trends` shows it.")],
    out: Annotated[Path, typer.Option("--out", help="The file to write: an .eml any mail client opens.")],
) -> None:
    """Write the email that announces an alert to a file, without sending or queueing it."""
    from socialcx.ops.alerts import alert_email

    state: _Context = ctx.obj
    message = alert_email(state.engine(), state.settings, state.clock, alert)
    try:
        out.write_bytes(message.as_bytes())
    except OSError as exc:
        raise UsageError(f"cannot write {out} ({exc.strerror})") from None
    console.print(Text(f"Wrote {out}: {message['Subject']}"))
