"""`socialcx mail send` and `socialcx mail preview`, through typer's runner."""

from __future__ import annotations

import email
import email.policy

from typer.testing import CliRunner

from socialcx import SystemClock, connect
from socialcx.cli import app
from tests.ops.alerts.conftest import add_alert, free_port


def _config(tmp_path, port):
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "socialcx.toml"
    path.write_text(f'[mail]\nhost = "127.0.0.1"\nport = {port}\nrecipients = ["care@example.com"]\n', encoding="utf-8")
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    with engine.begin() as connection:
        add_alert(connection, SystemClock().now())
    engine.dispose()
    return path


def test_preview_writes_the_alert_email_to_a_file(tmp_path):
    config = _config(tmp_path, 2525)

    result = CliRunner().invoke(app, ["--config", str(config), "mail", "preview", "--alert", "1", "--out", "alert.eml"])

    assert result.exit_code == 0, result.output
    message = email.message_from_bytes((tmp_path / "alert.eml").read_bytes(), policy=email.policy.default)
    assert message["Subject"].startswith('Spike: "checkout" on X') and message["Subject"] in result.output


def test_send_delivers_once_and_says_in_one_line_when_the_server_is_away(tmp_path, mail_server):
    runner = CliRunner()
    away = _config(tmp_path, free_port())

    down = runner.invoke(app, ["--config", str(away), "mail", "send"])
    up = runner.invoke(app, ["--config", str(_config(tmp_path / "up", mail_server.port)), "mail", "send"])

    assert down.exit_code == 1 and "Connection refused" in down.output and "Traceback" not in down.output
    assert up.exit_code == 0 and "1 queued, 1 sent." in up.output
    assert len(mail_server.received) == 1


def test_send_exits_1_while_emails_wait_for_a_server_that_is_down(tmp_path):
    """The second run finds the email not due for a retry yet: nothing is tried, but the email
    still waits, so the command must not look like success."""
    runner = CliRunner()
    config = _config(tmp_path, free_port())  # a closed port

    first = runner.invoke(app, ["--config", str(config), "mail", "send"])
    second = runner.invoke(app, ["--config", str(config), "mail", "send"])

    assert first.exit_code == 1
    assert second.exit_code == 1, second.output
    said = " ".join(second.output.split())
    assert "0 queued, 0 sent, 1 waiting for the mail server (next try at " in said
    assert "Connection refused" in second.stderr  # the reason it waits, from the last attempt
