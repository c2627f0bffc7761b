"""What counts as a year: the one definition every layer uses.

A four-digit number from 1900 to 2100 reads as a year on its own ("in 2019", "2019 and 2018").
One from 1000 to 1899 is a year only where the words around it say so ("in 1875", "March 1537"),
which the quantity scanner decides; it uses `is_old_year_number` for the range.
"""

from __future__ import annotations

import re

PLAIN_MIN, PLAIN_MAX = 1900, 2100   # modern reports: a bare 4-digit number in this range is a year
OLD_MIN = 1000                      # history passages: earlier years need a cue in the text

# Regex source for a plain year (no capture group), usable inside larger patterns.
YEAR_PATTERN = r"(?:19\d\d|20\d\d|2100)"
_YEAR_IN_TEXT = re.compile(rf"(?<![\d,.$£€])({YEAR_PATTERN})(?!\d|,\d|\.\d)")


def is_year_number(value: float | int | str) -> bool:
    """Whether a number can stand for a year on its own (1900-2100, a whole number)."""
    try:
        v = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return v.is_integer() and PLAIN_MIN <= v <= PLAIN_MAX


def is_old_year_number(value: float | int) -> bool:
    """Whether a number is in the range of years that need a cue in the text (1000-1899)."""
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return v.is_integer() and OLD_MIN <= v < PLAIN_MIN


def find_years(text: str) -> list[tuple[int, int, int]]:
    """Plain years in `text` as (year, start, end); digits inside larger numbers are not years."""
    return [(int(m.group(1)), m.start(1), m.end(1)) for m in _YEAR_IN_TEXT.finditer(text)]
