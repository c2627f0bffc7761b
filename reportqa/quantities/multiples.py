"""Multiples written as words: "fivefold", "tenfold", "tripled", "doubled".

They are read as a number with the unit "fold", the same as "10-fold" written in digits,
so a question asking "by what factor" finds them and the grounding check sees their value.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from reportqa.quantities.digits import _Hit
from reportqa.quantities.words import _text2num


@lru_cache(maxsize=1)
def _verbs() -> dict[str, float]:
    path = Path(__file__).with_name("data") / "multiples.txt"
    out: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, factor = line.split()
            out[word.lower()] = float(factor)
    return out


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    verbs = "|".join(sorted(_verbs(), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z-])(?:(?P<n>[A-Za-z]+)fold|(?P<verb>{verbs}))(?![A-Za-z])", re.I)


def multiple_hits(text: str) -> list[_Hit]:
    """A hit, unit "fold", for every multiple the text writes in words."""
    if "fold" not in text.lower() and not any(v in text.lower() for v in ("doubl", "tripl", "quadrupl", "halved")):
        return []
    hits = []
    for m in _pattern().finditer(text):
        if m.group("verb"):
            value = _verbs()[m.group("verb").lower()]
        else:
            n = _text2num([m.group("n").lower()])
            if n is None:
                continue
            value = float(n)
        hits.append(_Hit(m.start(), m.end(), value, unit="fold"))
    return hits
