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

# For the conversation tests: a measure stated for two years, and a part of it.
CHAT_CALLS_2022 = "The coastal helpline received 1,240 calls in 2022, compared with 980 calls in 2021."
CHAT_FORCED_LABOUR = "Of the calls received in 2022, 310 concerned forced labour on fishing boats."
CHAT_REPORT = f"""# Coastal Helpline Review 2022

## Calls

{CHAT_CALLS_2022} Most callers were relatives of crew members.

## Topics

{CHAT_FORCED_LABOUR} Others asked about wages and contracts.
"""
