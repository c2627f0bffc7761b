"""The reports the UI integration tests ingest before starting the server."""

SEED_SENTENCE = "Authorities rescued 358 victims, including 265 women."
SEED_REPORT = f"""# Seed Report on Rescues

## Victims

{SEED_SENTENCE} All of them were placed with their families or with shelters.

## Cases

Police opened 41 trafficking cases during the year.
"""

HOSTILE_SENTENCE = "The hostile shelter housed 77 children."
HOSTILE_REPORT = f"""Hostile <img src=x onerror=alert(1)> Report

Staff found <script>alert(1)</script> and <img src=x onerror=alert(1)> written on the wall. {HOSTILE_SENTENCE}
"""
