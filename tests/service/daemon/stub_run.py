"""`socialcx run` with a stand-in triage model, for tests that start the daemon as a process:
the shipped model takes half a minute to load on a busy machine, and these tests are about
the daemon, not triage. Run as `python -m tests.service.daemon.stub_run --config FILE run`."""

from __future__ import annotations

from collections.abc import Sequence

import socialcx.triage
from socialcx.cli import main
from socialcx.triage import Triage


class NeedsAPerson:
    """A triager unsure of everything: every mention goes to the inbox, none is answered."""

    version = "test"

    def triage(self, texts: Sequence[str]) -> list[Triage]:
        return [Triage("order_status", 0.2, True, "neutral", 0.0, "normal", "en", (), False) for _ in texts]


if __name__ == "__main__":
    socialcx.triage.default_model = NeedsAPerson
    main()
