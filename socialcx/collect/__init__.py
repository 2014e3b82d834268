"""Collecting: polling the watches through the connectors, within each channel's read budget, and
storing what comes back (ingest, with its triage); re-triaging what is stored."""
