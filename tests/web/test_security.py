"""What keeps the workspace safe, below the browser: users and their passwords, the signed
session, the login throttle, the `next` page after signing in (fed from outside)."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from aiohttp.test_utils import TestClient, TestServer

from socialcx import ManualClock
from socialcx.cli import app
from socialcx.config import Settings
from socialcx.errors import ConfigError, UsageError
from socialcx.store import WebUser
from socialcx.web.app import local_path
from socialcx.web import make_app
from socialcx.web.security import LoginThrottle, Sessions, client_address, session_secret
from socialcx.web.users import add_user, authenticate
from tests.web.conftest import run_async

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_a_user_signs_in_with_their_password_only_and_only_its_hash_is_stored(engine):
    with engine.begin() as connection:
        assert add_user(connection, "maya", role="agent", password="correct horse battery", now=NOW)
        assert not add_user(connection, "maya", role="approver", password="a new long password", now=NOW, amount_limit=80)
        stored = connection.execute(sa.select(WebUser.__table__)).mappings().one()
        right = authenticate(connection, "maya", "a new long password")
        old, unknown = authenticate(connection, "maya", "correct horse battery"), authenticate(connection, "nobody", "a new long password")

    assert (right.name, right.role, right.amount_limit) == ("maya", "approver", 80) and old is None and unknown is None
    assert stored["password_hash"].startswith("$argon2id$") and "a new long password" not in stored["password_hash"]


@pytest.mark.parametrize(("role", "password", "limit", "message"), [
    ("boss", "long enough password", None, "no role 'boss'; use agent, approver or admin"),
    ("agent", "short", None, "the password is 5 characters long; use at least 10"),
    ("agent", "long enough password", 50.0, "--limit is an approver's amount limit"),
])
def test_a_user_that_cannot_be_added_is_refused_in_one_sentence(engine, role, password, limit, message):
    with pytest.raises(UsageError, match=message), engine.begin() as connection:
        add_user(connection, "sam", role=role, password=password, now=NOW, amount_limit=limit)


def test_user_add_reads_the_password_from_a_file_or_the_prompt(tmp_path):
    config = tmp_path / "socialcx.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n', encoding="utf-8")
    (tmp_path / "pw").write_text("from the file, long\n", encoding="utf-8")
    runner = CliRunner()

    from_file = runner.invoke(app, ["--config", str(config), "user", "add", "alex", "--role", "approver", "--limit", "200", "--password-file", str(tmp_path / "pw")])
    prompted = runner.invoke(app, ["--config", str(config), "user", "add", "maya", "--role", "agent"], input="typed at the prompt\ntyped at the prompt\n")
    missing = runner.invoke(app, ["--config", str(config), "user", "add", "sam", "--role", "agent", "--password-file", str(tmp_path / "nope")])

    assert from_file.output == "Added alex (approver, amount limit 200).\n" and prompted.output.endswith("Added maya (agent).\n")
    assert missing.exit_code == 1 and "cannot read --password-file" in missing.output
    from socialcx import connect

    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    with engine.connect() as connection:
        assert authenticate(connection, "alex", "from the file, long") is not None
        assert authenticate(connection, "maya", "typed at the prompt") is not None
    engine.dispose()


def test_a_session_signed_with_another_key_or_too_old_is_a_new_one():
    ours, theirs = Sessions("k" * 40, secure=False), Sessions("x" * 40, secure=False)
    cookie = ours.dump({"user": "root", "csrf": "t"})

    assert ours.load(cookie) == ({"user": "root", "csrf": "t"}, False)
    forged, fresh = ours.load(theirs.dump({"user": "root", "csrf": "t"}))
    assert fresh and "user" not in forged
    assert ours.load(cookie[:-2] + "xx")[1]


def test_the_session_key_is_made_once_and_kept_from_others(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path)
    first, again = session_secret(settings), session_secret(settings)

    assert first == again and len(first) >= 48 and (tmp_path / "web-secret.key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("WEB_KEY", "too short")
    with pytest.raises(ConfigError, match="set WEB_KEY to a random value of at least 32 characters"):
        session_secret(Settings(data_dir=tmp_path, web={"secret": "WEB_KEY"}))


def test_failed_logins_wait_until_the_oldest_leaves_the_window():
    throttle, keys = LoginThrottle(attempts=3, window=timedelta(minutes=15)), ("address:1.2.3.4", "name:maya")
    for minute in range(3):
        assert throttle.wait(keys, NOW + timedelta(minutes=minute)) is None
        throttle.failed(keys, NOW + timedelta(minutes=minute))

    assert throttle.wait(keys, NOW + timedelta(minutes=5)) == timedelta(minutes=10)
    assert throttle.wait(("name:maya",), NOW + timedelta(minutes=15)) is None  # the first failure left the window
    assert throttle.wait(("address:5.6.7.8", "name:alex"), NOW + timedelta(minutes=5)) is None


@given(st.text())
def test_the_page_after_signing_in_is_always_on_this_site(target):
    path = local_path(target, "/inbox", host="care.acme.example")

    assert path.startswith("/") and not path.startswith("//") and "\\" not in path  # browsers read /\\ as //


@pytest.mark.parametrize("target", ["https://evil.example/inbox", "//evil.example/x", "/\\evil.example/x", "javascript:alert(1)", "inbox"])
def test_another_sites_page_after_signing_in_is_refused(target):
    assert local_path(target, "/inbox", host="care.acme.example") == "/inbox"


PROXY = [ipaddress.ip_network("10.0.0.0/8")]


def test_a_trusted_proxy_is_believed_about_the_client_and_nobody_else_is():
    assert client_address("10.0.0.2", ["203.0.113.5"], PROXY) == "203.0.113.5"
    assert client_address("10.0.0.2", ["1.1.1.1, 203.0.113.5, 10.0.0.9"], PROXY) == "203.0.113.5"  # the left is the client's to write
    assert client_address("10.0.0.2", ["203.0.113.5", "10.0.0.9"], PROXY) == "203.0.113.5"  # two headers read as one list
    assert client_address("10.0.0.2", ["junk, 10.0.0.9"], PROXY) == "10.0.0.9"
    assert client_address("10.0.0.2", [], PROXY) == "10.0.0.2"
    assert client_address("198.51.100.7", ["203.0.113.5"], PROXY) == "198.51.100.7"
    assert client_address("10.0.0.2", ["203.0.113.5"], []) == "10.0.0.2"


@given(st.lists(st.text(max_size=60), max_size=3), st.sampled_from(["10.0.0.2", "198.51.100.7", None]))
def test_the_client_address_is_the_peer_or_a_hop_of_the_header(headers, remote):
    address = client_address(remote, headers, PROXY)
    hops = [hop.strip() for header in headers for hop in header.split(",")]
    if remote != "10.0.0.2":  # an untrusted peer is never taken at its word
        assert address == (remote or "unknown")
    else:
        assert address == remote or (address in hops and ipaddress.ip_address(address))


async def _failed_logins(settings: Settings, engine, forwarded: list[str]) -> list[int]:
    """Sign in with a wrong password once per X-Forwarded-For value, through the workspace over
    HTTP from 127.0.0.1 (as a proxy on the same machine would); the status of each answer."""
    async with TestClient(TestServer(make_app(settings, engine, ManualClock(NOW)), host="127.0.0.1")) as client:
        page = await (await client.get("/login")).text()
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        statuses = []
        for number, client_ip in enumerate(forwarded):
            answer = await client.post(
                "/login", data={"csrf": token, "name": f"user{number}", "password": "wrong"}, headers={"X-Forwarded-For": client_ip},
                allow_redirects=False,
            )
            statuses.append(answer.status)
        return statuses


@pytest.mark.parametrize(("proxies", "sixth"), [([], 429), (["127.0.0.1"], 401)])
def test_behind_a_trusted_proxy_five_failures_lock_out_that_client_only(tmp_path, engine, proxies, sixth):
    settings = Settings(data_dir=tmp_path, web={"trusted_proxies": proxies})
    statuses = run_async(_failed_logins(settings, engine, ["203.0.113.5"] * 5 + ["198.51.100.7", "203.0.113.5"]))

    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [sixth, 429]  # another client behind the proxy may still try, only when the proxy is trusted


def test_trusted_proxies_must_be_addresses():
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(web={"trusted_proxies": ["proxy.local"]})
