"""The CI gate: the limits of `eval/thresholds.toml` applied to an evaluation summary."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"


def load_thresholds(name: str, path: str | Path = THRESHOLDS) -> dict[str, float]:
    """The gate limits of one section of ``thresholds.toml`` (e.g. ``sar_kheng``)."""
    with open(path, "rb") as f:
        config = tomllib.load(f)
    if name not in config:
        raise KeyError(f"no [{name}] section in {path}")
    return {k: v for k, v in config[name].items() if k.startswith(("min_", "max_"))}


def gate_failures(summary: dict[str, Any], limits: dict[str, float]) -> list[str]:
    """Which limits a summary breaks: ``min_<metric>`` is a floor, ``max_<metric>`` a ceiling.

    A metric that could not be measured (``None``, e.g. accuracy of zero questions)
    fails its limit: a gate must never pass on an empty result.
    """
    failures = []
    for key, limit in limits.items():
        bound, metric = key.split("_", 1)
        value = summary.get(metric)
        if value is None:
            failures.append(f"{metric} not measured (limit {bound} {limit})")
        elif bound == "min" and value < limit:
            failures.append(f"{metric} {value:.4f} < {limit}")
        elif bound == "max" and value > limit:
            failures.append(f"{metric} {value:.4f} > {limit}")
    return failures
