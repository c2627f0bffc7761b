"""Latency statistics, computed one way for every figure we publish (bench, load test, eval).

Percentiles are numpy's default (linear interpolation between the two nearest ranks), so a
p50 of an even count is the mean of the middle two, as in most tools that report latency.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (q in 0..100) of `values`, or None when there are none."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be in 0..100, got {q}")
    if len(values) == 0:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


def latency_summary(ms: Sequence[float], digits: int = 2) -> dict:
    """n, p50, p95, mean and max of latencies in milliseconds, rounded to `digits` (None if empty)."""

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, digits)

    return {
        "n": len(ms),
        "p50_ms": r(percentile(ms, 50)),
        "p95_ms": r(percentile(ms, 95)),
        "mean_ms": r(float(np.mean(ms))) if len(ms) else None,
        "max_ms": r(max(ms)) if len(ms) else None,
    }
