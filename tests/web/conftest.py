"""The workspace against a seeded store: posts on the sandbox's X (outage reports, mentions
whose text is markup, questions), polled into a SQLite store through the real client, triaged,
routed by the real responder (an incident with its drafted statement, inbox items with drafts),
three users (agent, approver, admin), and the workspace served on 127.0.0.1 from a thread.

Browser tests drive Debian's chromium headless through playwright: one browser for the folder,
a fresh context (no cookies) per test. Chromium is installed here when missing and we are root;
the tests are skipped, saying why, only when it cannot be.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from socialcx import Channel, ManualClock, connect
from socialcx.care.playbook import Playbook, load_playbook
from socialcx.care.responder import route
from socialcx.collect.poller import poll_once
from socialcx.config import Settings, load_settings
from socialcx.sandbox import Sandbox, ScenarioSpec, generate
from socialcx.sandbox.posts import Author, Post
from socialcx.store import Alert, Mention, MentionTriage
from socialcx.web import make_app, start
from socialcx.web.users import add_user
from tests.connectors.conftest import CREDENTIAL_VALUES, CREDENTIALS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"  # git-ignored
PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PLAYBOOK = """\
max_age_minutes: 240
defaults:
  min_confidence: 0.5
  channels: [x, reddit, mastodon, bluesky]
intents:
  order_status:
    mode: draft
    templates:
      - "Hi @{author}, you can follow your order at https://acme.example/orders"
incidents:
  status_page_url: "https://status.acme.example"
"""
OUTAGE = (
    "@acme checkout broken for anyone else? #acmedown",
    "is the @acme app down?? can't check out",
    "@acme website keeps giving me an error at payment",
    "@acme site is down AGAIN. been trying to order for an hour",
)
SCRIPT = '@acme <script>window.__xss = "script"; alert(1)</script> where is my order'
IMAGE = '@acme "><img src=x onerror="window.__xss = \'img\'; alert(2)"> where is my order'


@dataclass
class Site:
    """The workspace under test and what stands behind it."""

    url: str
    engine: sa.Engine
    settings: Settings
    playbook: Playbook
    clock: ManualClock
    sandbox: Sandbox
    app: Any

    def mention(self, text: str) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(Mention.__table__).where(Mention.text == text)).mappings().first()

    def one(self, query: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(query).first()


def run_async(coroutine: Any) -> Any:
    """Run a coroutine to its end from a test: in its own thread, since playwright's sync API
    keeps an event loop running in this one."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return result[0]


def _post(sandbox: Sandbox, text: str, author: str, number: int, at: datetime) -> None:
    timeline = sandbox.timelines[Channel.X]
    key, post_id = timeline.mint(at)
    timeline.add(Post(Channel.X, key, post_id, at, Author(str(90_000 + number), author, author.title(), 50), text, "en"))


def _seed(sandbox: Sandbox, clock: ManualClock) -> None:
    """The outage's reports (nine to six minutes ago), two markup mentions and three questions."""
    now = clock.now()
    for copy in range(2):
        for index, text in enumerate(OUTAGE):
            number = copy * len(OUTAGE) + index
            _post(sandbox, text, f"outage{number}", number, now - timedelta(minutes=9) + timedelta(seconds=number * 20))
    for number, text in enumerate((SCRIPT, IMAGE, "@acme where is my order? #A100", "@acme my parcel is late, order #A101", "@acme order A102 never came"), 20):
        _post(sandbox, text, f"customer{number}", number, now - timedelta(minutes=30 - number))


def _config(tmp: Path, base_url: str, env: pytest.MonkeyPatch) -> Path:
    credentials = []
    for key in CREDENTIALS[Channel.X]:
        env_name = f"SANDBOX_X_{key.upper()}"
        env.setenv(env_name, CREDENTIAL_VALUES.get(key, f"sandbox-{key}"))
        credentials.append(f"{key} = {env_name!r}")
    (tmp / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    path = tmp / "socialcx.toml"
    path.write_text("\n".join([
        f"data_dir = {str(tmp)!r}", f"playbook = {str(tmp / 'playbook.yaml')!r}", "",
        "[channels.x]", "enabled = true", f"base_url = {base_url!r}", f"credentials = {{ {', '.join(credentials)} }}", "",
        "[[watches]]", 'name = "acme"', 'channels = ["x"]', 'handles = ["@acme"]', 'keywords = ["acme"]',
    ]) + "\n", encoding="utf-8")
    return path


def _triage(engine: sa.Engine, clock: ManualClock) -> None:
    """What the model would say, written straight to the store (loading it takes seconds)."""
    with engine.begin() as connection:
        for mention_id, text in connection.execute(sa.select(Mention.id, Mention.text)).all():
            outage = text in OUTAGE
            connection.execute(sa.insert(MentionTriage.__table__).values(
                mention_id=mention_id, intent="outage_or_bug" if outage else "order_status", confidence=0.91, abstained=False,
                sentiment="negative" if outage else "neutral", sentiment_score=0.0, urgency="normal", language="en",
                risks=["legal_threat"] if "never came" in text else [], routine=not outage, model_version="test", triaged_at=clock.now(),
            ))


def _alert(engine: sa.Engine, clock: ManualClock) -> None:
    """The open spike alert on the outage, as the detector leaves it."""
    now = clock.now()
    window = [(now - timedelta(minutes=10)).isoformat(), (now - timedelta(minutes=5)).isoformat()]
    with engine.begin() as connection:
        connection.execute(sa.insert(Alert.__table__).values(
            watch="acme", status="open", channel="all", slice="all", topic='"checkout"', opened_at=now - timedelta(minutes=4),
            updated_at=now, observed=90, expected=10, score=8.0, peak=90, cold_start=False,
            explanation={
                "intent": "outage_or_bug", "topic": '"checkout"', "window": window, "mentions": 8,
                "terms": [{"term": "checkout", "count": 2, "baseline": 0, "z": 3.1}], "samples": [],
                "intents": {"outage_or_bug": 8}, "sentiments": {"negative": 8}, "channels": {"x": 8},
            },
        ))


def serve(app: Any) -> Iterator[str]:
    """Serve a workspace from a thread with its own event loop; yields its base URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="socialcx-web", daemon=True)
    thread.start()
    try:
        runner, url = asyncio.run_coroutine_threadsafe(start(app, "127.0.0.1", 0), loop).result()
        try:
            yield url
        finally:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The seeded workspace, one per test module."""
    tmp = tmp_path_factory.mktemp("web")
    clock = ManualClock(NOW)
    sandbox = Sandbox(
        generate(ScenarioSpec(days=1, mentions=0), start=NOW - timedelta(days=1), seed=3), clock=clock, wall=lambda: clock.now().timestamp()
    )
    _seed(sandbox, clock)
    with sandbox.in_thread() as base_url, pytest.MonkeyPatch.context() as env:
        settings = load_settings(_config(tmp, base_url, env))
        engine = connect(settings.database)
        run_async(poll_once(settings, engine, clock))
        _triage(engine, clock)
        _alert(engine, clock)
        playbook = load_playbook(settings.playbook)
        route(engine, settings, playbook, clock)
        with engine.begin() as connection:
            for name, role, limit in (("maya", "agent", None), ("alex", "approver", 100.0), ("root", "admin", None)):
                add_user(connection, name, role=role, password=PASSWORD, now=clock.now(), amount_limit=limit)
        app = make_app(settings, engine, clock, playbook=playbook)
        for url in serve(app):
            yield Site(url, engine, settings, playbook, clock, sandbox, app)
        engine.dispose()


def _chromium() -> Path | None:
    """Debian's chromium, installed now when missing and we may; None when it cannot be."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() == 0 and shutil.which("apt-get"):
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, **quiet)
        if not CHROMIUM.exists():
            subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
            subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, **quiet)
    return CHROMIUM if CHROMIUM.exists() else None


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless chromium for these tests, closed after the last of them: playwright's sync
    API keeps an event loop running in this thread while it is open, which the tests of other
    folders (`asyncio.run`) must not find."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[test]')")
    executable = _chromium()
    if executable is None:
        pytest.skip("no chromium at /usr/bin/chromium and it cannot be installed here (apt-get install chromium, as root)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; any dialog a page opens is recorded and dismissed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(5000)
    tab = context.new_page()
    tab.dialogs = []

    def dismiss(dialog: Any) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", dismiss)
    yield tab
    context.close()


def sign_in(tab: Any, url: str, name: str) -> Any:
    """Sign in to the workspace at `url` as `name`, in the browser: the inbox opens."""
    tab.goto(f"{url}/login")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{url}/inbox")
    return tab


@pytest.fixture
def login(site: Site) -> Callable[[Any, str], Any]:
    return lambda tab, name: sign_in(tab, site.url, name)


def screenshot(tab: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
