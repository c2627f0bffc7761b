"""reportqa: grounded, offline question answering over reports.

The data flow is ingest -> store -> retrieve -> answer -> cite -> UI/eval:
`ingest/` writes the store, `qa/` reads it, `ui/` and `eval/` call those two.
This package holds what every stage shares: settings, models, errors, the
embedding model, the store layout and the command line.
"""

__version__ = "0.1.0"
