"""Shared fixtures: a simulated clock, a clean environment, and the store on every backend.

PostgreSQL tests start a throwaway server from the machine's PostgreSQL binaries (Debian's
`postgresql` package). Without them those tests are skipped, unless
SOCIALCX_REQUIRE_POSTGRESQL=1 (as in CI), where a missing server is a failure.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from socialcx import ManualClock, connect

# pytest-xdist's workers start with COLUMNS=80, which rich would read once, when the CLI's console
# is made; without it, the width is read at each print, so a test can set it for its CliRunner.
os.environ.pop("COLUMNS", None)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's own SOCIALCX_* settings, and run in an empty folder."""
    for name in list(os.environ):
        if name.startswith("SOCIALCX_") and name != "SOCIALCX_REQUIRE_POSTGRESQL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


class _PostgresServer:
    """A PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 on a free port."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            raise FileNotFoundError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self._bin = Path(binaries[-1]).parent
        self._folder = Path(tempfile.mkdtemp(prefix="socialcx-pg-"))
        self._user = "postgres" if os.geteuid() == 0 else None
        if self._user:
            entry = pwd.getpwnam(self._user)
            os.chown(self._folder, entry.pw_uid, entry.pw_gid)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        data = self._folder / "data"
        self._run("initdb", "-D", str(data), "-U", "socialcx", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._run(
            "pg_ctl", "-D", str(data), "-l", str(self._folder / "log"), "-w", "-o",
            f"-p {self.port} -k {self._folder} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        self._data = data
        self._template: str | None = None
        self.admin = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://socialcx@127.0.0.1:{self.port}/{database}"

    def new_database(self, template: str = "template1") -> str:
        """A fresh database, empty or a copy of `template`."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return self.url(name)

    def migrated_database(self) -> str:
        """A fresh database at the newest schema: a copy of one migrated once per session, which
        is several times faster than migrating each test's database."""
        if self._template is None:
            url = self.new_database()
            connect(url).dispose()
            self._template = url.rsplit("/", 1)[1]
        return self.new_database(self._template)

    def stop(self) -> None:
        self.admin.dispose()
        self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "stop")
        shutil.rmtree(self._folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self._bin / program), *args]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self._folder)


@pytest.fixture(scope="session")
def postgres() -> Iterator[_PostgresServer]:
    try:
        server = _PostgresServer()
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        message = f"no PostgreSQL server: {exc} {detail.decode(errors='replace')}".strip()
        if os.environ.get("SOCIALCX_REQUIRE_POSTGRESQL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn: a test taking `database_url` or `engine` runs on both."""
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'socialcx.db'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A migrated store on each backend."""
    if backend == "sqlite":
        engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    else:
        engine = connect(request.getfixturevalue("postgres").migrated_database())
    yield engine
    engine.dispose()

