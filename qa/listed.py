"""Questions that name several groups ("black and Hispanic, respectively", "black or Hispanic,
taken together"): one stated figure per named group, each found by the words beside it."""

from __future__ import annotations

import re

from reportqa.bm25 import tokenize

from qa.candidates import Candidate
from qa.question import Question, concept_of
from qa.ranking import MIN_MATCH

_LIST = re.compile(r"\b((?:[\w-]+\s*,\s*)+[\w-]+,?\s+(?:and|or)\s+[\w-]+|[\w-]+\s+(?:and|or)\s+[\w-]+)\b")
SUM_CUE = re.compile(r"\b(?:taken together|together|combined|altogether|in total|in all)\b", re.I)


def listed_items(q: Question) -> list[str]:
    """The groups a question lists in its predicate ("were black and Hispanic"), else in what
    it counts ("How many minors and foreigners were arrested in total?"), in order."""
    tail = re.split(r"\b(?:were|was|are|is)\b", q.text, maxsplit=1)
    text = tail[1] if len(tail) == 2 else q.text
    m = _LIST.search(text)
    if not m and len(tail) == 2:
        counted = re.search(r"\bhow (?:many|much)\s+(.+)$", tail[0], re.I)
        m = _LIST.search(counted.group(1)) if counted else None
    if not m:
        return []
    return [p.strip() for p in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", m.group(1)) if p.strip()]


def _local(c: Candidate) -> set[str]:
    return {concept_of(t) for t in c.after[:3] + c.before[-2:]}


def item_figures(items: list[str], cands: list[Candidate]) -> list[Candidate] | None:
    """For each item the best-scored figure whose own words name it; None unless every item has
    one, all distinct and of one kind."""
    picks: list[Candidate] = []
    for item in items:
        concepts = {concept_of(t) for t in tokenize(item)}
        if not concepts:
            return None
        found = next((c for c in cands if c.match >= MIN_MATCH and concepts <= _local(c)
                      and all(c.quantity is not p.quantity for p in picks)), None)
        if found is None:
            return None
        picks.append(found)
    if len({c.quantity.kind for c in picks}) != 1 or len(picks) < 2:
        return None
    return picks
