"""Ranges ("X to Y", "X-Y", "between X and Y") and fiscal pairs ("2018-19") among the mentions of a text."""

from __future__ import annotations

from reportqa.quantities.digits import (
    _Hit,
)
from reportqa.quantities.lexicon import (
    _BETWEEN, _BY, _DIRECTIONS, _FROM, _MULTIPLIERS, _RANGE_GAP,
)


_MEASURES = {"number", "percent", "money", "points"}


def _link_ranges(text: str, hits: list[_Hit]) -> None:
    """Mark "X to Y", "X-Y", "X–Y" and "between X and Y": X gets range_with=Y."""
    for a, b in zip(hits, hits[1:]):
        if (a.kind == "year" and b.kind == "number" and len(b.raw) == 2 and b.raw.isdigit()
                and text[a.end:b.start] in ("-", "\u2013", "/")):
            _fiscal_pair(a, b)  # "2018-19", "2019/20"
            continue
        gap = _RANGE_GAP.fullmatch(text, a.end, b.start)
        if not gap:
            continue
        if gap.group("and") and not _BETWEEN.search(text, max(0, a.start - 12), a.start):
            continue  # "15 and 17" is two figures, not a range
        if gap.group("to") and a.kind != "year" and _is_change(text, a):
            continue
        both_years = a.kind == b.kind == "year"
        if not both_years and not (a.kind in _MEASURES and b.kind in _MEASURES
                                   and (a.kind == b.kind or "number" in (a.kind, b.kind))):
            continue
        if a.kind == b.kind == "money" and a.unit != b.unit:
            continue
        # "$2 to $3 million": the first figure borrows the scale it leaves unsaid.
        a_scale = a.scale
        if not a_scale and b.scale and a.kind in ("number", "money") and a.value < b.value:
            a_scale = b.scale
        lo = a.value * _MULTIPLIERS[a_scale]
        hi = b.value * _MULTIPLIERS[b.scale]
        if not gap.group("and") and not lo < hi:
            continue  # "24-17" is a score, "from 359 to 166" a change
        a.scale = a_scale
        if a.kind == "number" and b.kind != "number":
            a.kind, a.unit = b.kind, a.unit or b.unit
        elif b.kind == "number" and a.kind != "number":
            b.kind, b.unit = a.kind, b.unit or a.unit
            b.scale = b.scale or ("percent" if a.kind == "percent" else "")
        a.range_with = hi / _MULTIPLIERS[a.scale]


def _is_change(text: str, a: _Hit) -> bool:
    """Whether "X to Y" after `a` reads as a change ("increased $19.7 million to ...")."""
    if a.qualifier in _DIRECTIONS:
        return True
    lo = max(0, a.start - 48)
    if _BY.search(text, lo, a.start):
        return True
    m = _FROM.search(text, lo, a.start)
    return bool(m and not m.group(1))


def _fiscal_pair(a: _Hit, b: _Hit) -> None:
    century = a.value // 100 * 100
    value = century + b.value
    if value <= a.value:
        value += 100
    b.kind, b.written, b.value = "year", b.value, value
    a.range_with = value
