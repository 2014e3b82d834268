"""The layout's promises that the import contracts (`lint-imports`) cannot check: what importing a
room, or asking for help, costs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def loaded_after(code: str) -> set[str]:
    """The top-level packages loaded in a fresh interpreter after running `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{name.split('.')[0] for name in sys.modules}})))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120, check=True)
    return set(done.stdout.split())


def test_importing_the_inbox_does_not_load_scikit_learn():
    loaded = loaded_after("import socialcx.care.inbox")

    assert "sqlalchemy" in loaded  # the probe sees what the inbox does load
    assert "sklearn" not in loaded


def test_help_loads_neither_scikit_learn_nor_pandas():
    loaded = loaded_after(
        "import sys\nsys.argv = ['socialcx', '--help']\nfrom socialcx.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )

    assert "typer" in loaded
    assert not loaded & {"sklearn", "pandas", "scipy", "sqlalchemy", "pydantic"}
