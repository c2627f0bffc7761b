"""Find the numbers a sentence mentions, with exact offsets and what surrounds them.

One compiled scanner finds the core of every mention: digits, ISO and slash dates,
number words, ordinals and fractions. Small anchored regexes then read the few
characters on either side to attach currency, sign, parentheses, scale, percent,
unit, qualifier and range. Nothing is tokenised, and text2num only sees spans the
word-list regex already accepted, so a typical sentence takes 20-100 microseconds.

Values are kept as written ("£59.1m" is 59.1 with scale "million"); apply
`scale_multiplier(q.scale)` to get the full amount.
"""


from __future__ import annotations

import math

from reportqa.models import Quantity
from reportqa.quantities.digits import (
    _Hit, _digits, _iso_date, _slash_date,
)
from reportqa.quantities.lexicon import (
    _MULTIPLIERS, _SCALE_ALIASES, _SCAN,
)
from reportqa.quantities.lexicon import UNIT_NOUNS
from reportqa.quantities.multiples import multiple_hits
from reportqa.quantities.ranges import _link_ranges
from reportqa.quantities.words import _dozen, _fraction, _ordinal, _words

__all__ = ["UNIT_NOUNS", "extract_quantities", "normalize_values", "parse_number", "scale_multiplier"]


def scale_multiplier(scale: str) -> float:
    """Factor a scale name stands for: "thousand" 1e3, "million" 1e6, "billion" 1e9; "", "percent" 1.

    Also accepts plurals and abbreviations ("millions", "m", "bn", "k", "%").
    """
    key = scale.strip()
    return _MULTIPLIERS[_SCALE_ALIASES.get(key, _SCALE_ALIASES.get(key.lower(), ""))]


def extract_quantities(text: str) -> list[Quantity]:
    """Every number `text` mentions, in order, with `text[q.start:q.end] == q.text`."""
    return [
        Quantity(
            value=h.value, text=text[h.start:h.end], start=h.start, end=h.end, scale=h.scale,
            unit=h.unit, kind=h.kind, qualifier=h.qualifier, negative=h.negative, range_with=h.range_with,
        )
        for h in _scan(text)
    ]


def parse_number(s: str) -> float | None:
    """The value of the first number in `s`, as written and without its scale applied.

    "1,234.5" -> 1234.5, "(8.1)" -> -8.1, "Thirty-eight" -> 38, "3.5%" -> 3.5,
    "$36.5 million" -> 36.5; None when `s` holds no number.
    """
    hits = _scan(s)
    if not hits:
        return None
    h = hits[0]
    return h.written if h.written is not None else h.value


def normalize_values(text: str) -> set[float]:
    """Every value `text` mentions, as written and with its scale applied, rounded to 2 decimals.

    Negative figures also contribute their magnitude: "(8.1)" in a table and "a loss
    of 8.1" in an answer are the same figure.
    """
    out: set[float] = set()
    for h in _scan(text):
        mult = _MULTIPLIERS[h.scale]
        for v in (h.value, h.value * mult, h.written):
            if v is not None and math.isfinite(v):
                out.add(round(v, 2))
                out.add(round(abs(v), 2))
    return out


_HANDLERS = {
    "iso": _iso_date, "slash": _slash_date, "num": _digits, "dozen": _dozen,
    "frac": _fraction, "ord": _ordinal, "words": _words,
}


def _scan(text: str) -> list[_Hit]:
    """All mentions in order; each starts at or after the end of the previous one."""
    hits: list[_Hit] = []
    floor = 0  # end of the previous mention: context reads never cross it
    for m in _SCAN.finditer(text):
        if m.start() < floor:
            continue  # already inside the previous mention ("5 million": "million")
        found = _HANDLERS[m.lastgroup](text, m, floor)
        for h in found:
            if math.isfinite(h.value):
                hits.append(h)
            floor = max(floor, h.end)
    extra = [h for h in multiple_hits(text) if not any(o.start < h.end and h.start < o.end for o in hits)]
    if extra:
        hits = sorted(hits + extra, key=lambda h: h.start)
    _link_ranges(text, hits)
    return hits
