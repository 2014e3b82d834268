"""The long-running service: the daemon behind `socialcx run`, and the demo that runs it on the
sandbox."""
