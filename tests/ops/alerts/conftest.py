"""A real SMTP server (aiosmtpd) on 127.0.0.1, settings that mail to it, and alerts in the store."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from socialcx.config import Settings
from socialcx.store import Alert, AlertEvent

USER, PASSWORD = "care-bot", "s3cret-Pa55word"


def free_port() -> int:
    """A port nothing listens on (aiosmtpd's own readiness check cannot use port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """aiosmtpd keeping what it receives; it can refuse recipients and require a login."""

    def __init__(self, port: int, *, login: bool = False) -> None:
        self.port = port
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self._login = login
        self._controller: Controller | None = None

    def start(self) -> MailServer:
        options: dict[str, Any] = {"auth_require_tls": False}
        if self._login:
            options |= {"authenticator": self._authenticate, "auth_required": True}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK: queued"

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 235 or 535


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer(free_port()).start()
    yield server
    server.stop()


def mail_settings(port: int, *, channels: dict[str, Any] | None = None, watches: list[Any] | None = None, **mail: Any) -> Settings:
    """Settings that mail care@example.com through 127.0.0.1:`port`; `mail` overrides [mail] keys."""
    return Settings(
        mail={"host": "127.0.0.1", "port": port, "sender": "socialcx@example.com", "recipients": ["care@example.com"], **mail},
        channels=channels or {},
        watches=watches or [],
    )


EXPLANATION = {
    "topic": '"checkout"',
    "intent": "outage_report",
    "window": ["2026-11-25T08:50:00+00:00", "2026-11-25T09:00:00+00:00"],
    "mentions": 412,
    "terms": [{"term": "checkout", "count": 380, "baseline": 12, "z": 14.2}],
    "samples": [
        {"channel": "x", "external_id": str(n), "author_handle": f"user{n}", "author_followers": 1000 - n,
         "text": "checkout is broken", "url": f"https://x.com/i/{n}", "created_at": "2026-11-25T08:55:00+00:00"}
        for n in range(5)
    ],
    "intents": {"outage_report": 350, "order_status": 62},
    "sentiments": {"negative": 370, "neutral": 42},
    "channels": {"x": 412},
}


def add_alert(connection: sa.Connection, at: datetime, *, events: tuple[str, ...] = ("raised",), **values: Any) -> int:
    """An alert raised at `at` as `evaluate` stores it, with one event per kind, five minutes apart."""
    row = {
        "watch": "acme", "status": "open", "channel": "x", "slice": "all", "topic": '"checkout"', "opened_at": at,
        "updated_at": at, "observed": 240.0, "expected": 30.0, "score": 40.0, "peak": 240.0, "cold_start": False,
        "explanation": EXPLANATION,
    } | values
    alert_id = connection.execute(sa.insert(Alert).returning(Alert.id), row).scalar_one()
    for step, kind in enumerate(events):
        connection.execute(
            sa.insert(AlertEvent),
            {"alert_id": alert_id, "kind": kind, "at": at + step * timedelta(minutes=5), "channel": "x", "slice": "all",
             "observed": 240.0 * (step + 1), "expected": 30.0, "score": 40.0},
        )
    return alert_id


# For tests whose subject does not depend on the backend (rendering): the store on SQLite only.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
