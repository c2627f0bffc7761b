"""Periods within a year that a passage narrates in order: quarters and halves.

A sentence that names "the second quarter" or "the first half" sets the period of the
sentences after it until another one is named; a question naming a period keeps only those.
"""

from __future__ import annotations

import re

from reportqa.models import Sentence

_PERIOD = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+(quarter|half)\b|\bQ([1-4])\b|\bH([12])\b", re.I)
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _quarters(m: re.Match) -> set[int]:
    if m.group(3):
        return {int(m.group(3))}
    if m.group(4):
        return {1, 2} if m.group(4) == "1" else {3, 4}
    n = _ORDINAL[m.group(1).lower()]
    if m.group(2).lower() == "half":
        return {1, 2} if n == 1 else {3, 4}
    return {n}


def asked_quarters(text: str) -> set[int] | None:
    """The quarters a question names ("in the first half" -> {1, 2}), or None."""
    m = _PERIOD.search(text)
    return _quarters(m) if m else None


def quarter_of_sentences(sentences: list[Sentence]) -> dict[str, set[int]]:
    """The quarter(s) each sentence narrates, carried forward from the last one named (empty: unknown)."""
    out: dict[str, set[int]] = {}
    current: set[int] = set()
    for s in sentences:
        m = _PERIOD.search(s.text)
        if m:
            current = _quarters(m)
        out[s.node_id] = current
    return out
