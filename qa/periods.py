"""Periods within a year: quarters, halves and months.

A sentence that names "the second quarter" or "the first half" sets the period of the
sentences after it until another one is named; a question naming a period keeps only those.
Within one sentence, a figure belongs to the period named last before it ("In January 2021
the hotline received 57 calls; in February 2021 it received 43"), or to the one right after it.
"""

from __future__ import annotations

import re

from reportqa.models import Sentence

_PERIOD = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+(quarter|half)\b|\bQ([1-4])\b|\bH([12])\b", re.I)
# A month as a period ("January 2021"), not a date ("September 30, 2019", "30 June 2024"), which
# names a point, often a year's end.
_MONTH = re.compile(r"(?<!\d\s)\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
                    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(?:19|20)\d\d\b", re.I)
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


def _month(m: re.Match) -> str:
    return m.group(1)[:3].lower()


def sub_periods(text: str) -> list[tuple[int, int, str]]:
    """(start, end, period) of the quarters, halves and months a text names, in order; a
    period is "q1".."q4" for each quarter it covers, or a month's first three letters."""
    found = [(m.start(), m.end(), ",".join(f"q{n}" for n in sorted(_quarters(m)))) for m in _PERIOD.finditer(text)]
    found += [(m.start(), m.end(), _month(m)) for m in _MONTH.finditer(text)]
    return sorted(found)


def asked_sub_period(text: str) -> set[str] | None:
    """The quarters or months a question names ({"q3"}, {"feb"}), or None."""
    periods = sub_periods(text)
    if not periods:
        return None
    return {p for _, _, joined in periods for p in joined.split(",")}


def period_of_figure(text: str, start: int, end: int, next_start: int | None = None) -> set[str] | None:
    """The sub-year period a figure at text[start:end] belongs to: the one named last before it
    in the sentence, else one named after it before the next figure; None when none is named."""
    periods = sub_periods(text)
    before = [p for s, e, p in periods if e <= start]
    if before:
        return set(before[-1].split(","))
    after = [p for s, e, p in periods if s >= end and (next_start is None or s < next_start)]
    return set(after[0].split(",")) if after else None
