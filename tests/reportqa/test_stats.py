"""The one percentile formula behind every published latency figure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportqa.stats import latency_summary, percentile


def test_percentile_interpolates_between_ranks():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48.0)
    assert percentile([7], 95) == 7.0
    assert percentile([3, 1, 2], 0) == 1.0 and percentile([3, 1, 2], 100) == 3.0


def test_percentile_of_nothing_is_none_and_q_is_checked():
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1.0], 101)


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50))
def test_percentiles_are_ordered_and_within_range(xs):
    p50, p95 = percentile(xs, 50), percentile(xs, 95)
    assert min(xs) <= p50 <= p95 <= max(xs)


def test_latency_summary():
    s = latency_summary([10.0, 20.0, 30.0, 40.0])
    assert s == {"n": 4, "p50_ms": 25.0, "p95_ms": 38.5, "mean_ms": 25.0, "max_ms": 40.0}
    assert latency_summary([]) == {"n": 0, "p50_ms": None, "p95_ms": None, "mean_ms": None, "max_ms": None}
