"""`socialcx run` serves the workspace beside the daemon when `[web] enabled = true`, and stops
both on SIGTERM."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

from tests.service.daemon.test_shutdown import start, stop, wait_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answer(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code
    except OSError:
        return None


def test_socialcx_run_serves_the_workspace_when_enabled(tmp_path):
    web, health = _free_port(), _free_port()
    config = tmp_path / "socialcx.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[daemon]\nhttp_port = {health}\n[web]\nenabled = true\nport = {web}\n', encoding="utf-8")
    daemon = start(config, tmp_path / "run.log")
    try:
        wait_for(lambda: _answer(f"http://127.0.0.1:{web}/login") == 200, 60, "the workspace")
        with urllib.request.urlopen(f"http://127.0.0.1:{web}/inbox", timeout=2) as followed:  # signed out: the login page
            assert followed.url == f"http://127.0.0.1:{web}/login?next=/inbox"
        assert _answer(f"http://127.0.0.1:{health}/healthz") == 200
    finally:
        status, _ = stop(daemon)
    assert status == 0 and _answer(f"http://127.0.0.1:{web}/login") is None, (tmp_path / "run.log").read_text()
