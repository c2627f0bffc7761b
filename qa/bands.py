"""Bands of a group: "under 15", "15 to 17", "over 18", "minors" read as intervals (their sums
are in qa/band_sums.py).

A report often splits a group into bands ("124 victims were under 15, 31 were between 15 and
17, and 70 were over 18"; a table with rows "Under 15", "15 to 17", "Over 18"). A question may
ask for a band the report states (an interval equal to one of them) or for a wider one that
its bands make up ("How many victims under 18 …": under 15 + 15 to 17). Intervals are over
whole numbers, lower bound inclusive and upper bound exclusive; "over 18" is read loosely
(reports write it for "18 and over"), so bounds one apart count as the same.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportqa.models import split_row

from qa.candidates import Candidate

INF = math.inf
# Bands of a group are said with fewer of the question's words than the group itself ("31 were
# between 15 and 17" after "124 victims were under 15"), so they count from a little below
# the figure threshold.
BAND_SLACK = 0.1
_N = r"(?<![\d,.])(\d{1,3})(?!\d|[,.]\d)"  # an age or a small count, not a part of "90,000"
_WORDS = {"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "five": 5, "ten": 10, "twelve": 12,
          "fourteen": 14, "thirteen": 13, "twenty": 20, "sixty": 60, "sixty-five": 65}
# A band's last number ends the phrase ("under 15,", "over 18 were", "15 to 17 years old");
# a noun after it makes it an amount instead ("over 50 countries", "from 132 to 759 persons").
_END = r"(?=\s*(?:years?\b|year-olds?\b|[,.;:)?]|$|(?:and|or|were|was|are|is|did|do|does|had|has|have|will|in|at|who|from|for|of\s+age)\b))"
# Each pattern gives (lower, upper) from its numbers. The bare "15 to 17" is a band only in a
# question or a table's row label; in a report's sentence ("rose from 132 to 759") it needs
# "aged" before it or "years" after it.
_PATTERNS: list[tuple[re.Pattern, object, bool]] = [
    (re.compile(rf"\bbetween\s+(?:the\s+ages?\s+of\s+)?{_N}\s+and\s+{_N}{_END}", re.I), lambda a, b: (a, b + 1), True),
    (re.compile(rf"\b(?:aged?|ages)\s+{_N}\s*(?:to|-|–|—)\s*{_N}{_END}", re.I), lambda a, b: (a, b + 1), True),
    (re.compile(rf"\b{_N}\s*(?:to|-|–|—)\s*{_N}\s*years?\b", re.I), lambda a, b: (a, b + 1), True),
    (re.compile(rf"\b{_N}\s*(?:to|-|–|—)\s*{_N}{_END}", re.I), lambda a, b: (a, b + 1), False),
    (re.compile(rf"\b{_N}\s*(?:years?\s+)?(?:\+|and\s+(?:over|older|above)|or\s+(?:over|older|above|more))", re.I),
     lambda a: (a, INF), True),
    (re.compile(rf"\b{_N}\s*(?:years?\s+)?(?:and\s+(?:under|younger|below)|or\s+(?:under|younger|less))", re.I),
     lambda a: (0, a + 1), True),
    (re.compile(rf"\b(?:under|below|younger\s+than|less\s+than)\s+(?:the\s+age\s+of\s+)?{_N}{_END}", re.I),
     lambda a: (0, a), True),
    (re.compile(rf"\b(?:over|above|older\s+than|more\s+than)\s+(?:the\s+age\s+of\s+)?{_N}{_END}", re.I),
     lambda a: (a + 1, INF), True),
]
_WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b", re.I)


@dataclass(frozen=True)
class Band:
    low: float
    high: float

    def same(self, other: "Band") -> bool:
        return near(self.low, other.low) and near(self.high, other.high)

    def within(self, other: "Band") -> bool:
        return self.low >= other.low - 1 and self.high <= other.high + 1


def near(a: float, b: float) -> bool:
    """Whether two band bounds are the same, reports write "over 18" for "18 and over"."""
    return a == b or (a != INF and b != INF and abs(a - b) <= 1)


@lru_cache(maxsize=1)
def _band_words() -> dict[str, Band]:
    data = tomllib.loads(Path(__file__).with_name("band_words.toml").read_text(encoding="utf-8"))
    return {w: Band(float(e.get("from", 0)), float(e.get("below", INF))) for e in data.values() for w in e["words"]}


def band_word_list() -> list[str]:
    """Every word of band_words.toml (group words that name an age band)."""
    return list(_band_words())


def band_in(text: str, prose: bool = False) -> Band | None:
    """The first band a text states in numbers ("aged 15 to 17", "under 15", "18 or older");
    `prose` for a report's sentence, where a bare "15 to 17" is not read as a band."""
    found = _first_band(_WORD_NUMBER.sub(lambda m: str(_WORDS[m.group(1).lower()]), text), prose)
    return found[0] if found else None


def _first_band(text: str, prose: bool = False) -> tuple[Band, re.Match] | None:
    """The band said first in `text` ("under 18 and 1,118 were 18 or older": under 18)."""
    found = []
    for pattern, make, in_prose in _PATTERNS:
        if prose and not in_prose:
            continue
        for m in pattern.finditer(text):
            low, high = make(*(int(g) for g in m.groups()))
            if low < high:
                found.append((m.start(), -m.end(), Band(float(low), float(high)), m))
                break
    if not found:
        return None
    _, _, band, m = min(found, key=lambda f: f[:2])
    return band, m


def band_phrase(text: str) -> str:
    """The words of the first band a text states in digits ("younger than 16"), or ""."""
    found = _first_band(text)
    return found[1].group(0) if found else ""


@lru_cache(maxsize=8192)
def band_bounds(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of every band a text states in digits: the ages in "41 were under 14, 36 were
    between 14 and 15" bound bands, they are not figures of their own. Cached: each question
    gathers the same retrieved sentences several times."""
    spans: list[tuple[int, int]] = []
    for pattern, _, in_prose in _PATTERNS:
        if in_prose:
            spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return tuple(spans)


def band_word(text: str) -> Band | None:
    """The band a word of `text` names without a number ("minors", "adult")."""
    words = _band_words()
    for w in re.findall(r"[a-z][a-z-]*", text.lower()):
        if w in words:
            return words[w]
    return None


def asked_band(text: str) -> tuple[Band, bool] | None:
    """The band a question asks about, and whether in numbers: "under 18", else a group word."""
    stated = band_in(text)
    if stated is not None:
        return stated, True
    named = band_word(text)
    return (named, False) if named is not None else None


def candidate_band(c: Candidate) -> tuple[Band, bool] | None:
    """The band a figure is said of, and whether it is said in numbers: its table row's label,
    or the words after it in its clause ("124 victims were under 15,"), or its noun ("10 minors")."""
    s = c.sentence
    if s.kind == "table_row":
        cells = split_row(s.text)
        text = cells[0] if cells else ""
    else:
        text = re.split(r"[,;.)](?:\s|$)", s.text[c.quantity.end:c.quantity.end + 50], maxsplit=1)[0]
    stated = band_in(text, prose=s.kind != "table_row")
    if stated is not None:
        return stated, True
    named = band_word(text if s.kind == "table_row" else " ".join(text.split()[:2]))
    return (named, False) if named is not None else None
