"""The daemon's own jobs, driven on the test clock against the sandbox and a real SMTP server:
a scripted incident is mailed once, with its chart, and what follows stays in its thread; the
digest comes once a day, from the first day the store held mentions."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from socialcx import Channel, ManualClock, connect
from socialcx.sandbox import Incident, Sandbox, ScenarioSpec, generate
from socialcx.service.daemon import Daemon
from tests.ops.alerts.conftest import mail_server  # noqa: F401  (a fixture)
from tests.service.daemon.conftest import START, channels

# A day and a half of ordinary traffic to learn from (nothing is raised on the first day), then
# an outage with a second, bigger wave twenty minutes in: an escalation.
SPEC = ScenarioSpec(
    days=2,
    mentions=1_200,
    incidents=(
        Incident("checkout-outage", timedelta(hours=37), timedelta(hours=2), 600),
        Incident("double-charge", timedelta(hours=37, minutes=20), timedelta(hours=2), 1_500),
    ),
    channels={Channel.X: 0.7, Channel.HACKERNEWS: 0.3},
)


def _run_the_outage(tmp_path, settings_for, mail_server, *, mail_job: bool, until_mailed: bool = False) -> None:  # noqa: F811
    """The daemon's polls and spike judging (and, with `mail_job`, its mail job) through the day
    and a half and then the outage, on the test clock; with `until_mailed`, until an email went out."""
    clock = ManualClock(START)
    sandbox = Sandbox(generate(SPEC, start=START, seed=11), clock=clock, wall=lambda: clock.now().timestamp())
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    with sandbox.in_thread() as base_url:
        settings = settings_for(
            channels=channels(base_url, interval=600),
            mail={"host": "127.0.0.1", "port": mail_server.port, "recipients": ["care@example.com"]},
        )
        daemon = Daemon(settings, engine, clock)

        async def run_until(hours: float, step: timedelta) -> None:
            while clock.now() < START + timedelta(hours=hours) and not (until_mailed and mail_server.received):
                clock.advance(step)
                for channel in (Channel.X, Channel.HACKERNEWS):
                    await daemon.poll(channel, "acme")
                await daemon.judge_spikes()
                if mail_job:
                    await daemon.mail()

        asyncio.run(run_until(36, timedelta(hours=2)))  # the ordinary day and a half, at a trot
        asyncio.run(run_until(40, timedelta(minutes=10)))
    engine.dispose()


def test_an_incident_is_mailed_once_with_its_chart_and_followed_up_in_its_thread(tmp_path, settings_for, mail_server):  # noqa: F811
    _run_the_outage(tmp_path, settings_for, mail_server, mail_job=True)

    alerts = [message for message in mail_server.received if "Spike" in message["Subject"]]
    first, *later = alerts
    assert first["Subject"].startswith("Spike: ") and first["In-Reply-To"] is None
    assert [message for message in alerts if not message["Subject"].startswith("Re: ")] == [first]
    png = [part for part in first.walk() if part.get_content_type() == "image/png"]
    assert len(png) == 1 and png[0].get_content().startswith(b"\x89PNG")
    assert later, "the incident's escalation or resolution"
    for message in later:
        assert message["Subject"] == f"Re: {first['Subject']}"
        assert message["In-Reply-To"] == message["References"] == first["Message-ID"]
    assert any(message.get_body(("plain",)).get_content().startswith("Escalated:") for message in later)
    # The first day's digest, once; none of the day before the store held anything.
    digests = [message["Subject"] for message in mail_server.received if message["Subject"].startswith("Daily digest")]
    assert len(digests) == 1 and digests[0].startswith(f"Daily digest, {START:%a %d %b}: ")


def test_the_alert_email_goes_out_in_the_pass_that_raised_the_alert(tmp_path, settings_for, mail_server):  # noqa: F811
    _run_the_outage(tmp_path, settings_for, mail_server, mail_job=False, until_mailed=True)

    assert [message["Subject"][:7] for message in mail_server.received] == ["Spike: "]
