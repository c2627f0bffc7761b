"""Questions that name several groups ("black and Hispanic, respectively", "black or Hispanic,
taken together"): one stated figure per named group, each found by the words beside it; and a
total asked of figures a sentence gives side by side ("36 beds and … 24 beds")."""

from __future__ import annotations

import re

from reportqa.bm25 import STOPWORDS, tokenize
from reportqa.quantities import extract_quantities

from qa.attribution import leading_words
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


# "358 victims, including 265 women", "of whom", "of which": a part of the figure before, not beside it.
_PART_WORDS = re.compile(r"\b(?:including|of whom|of which|among them|of them|of these|of those|out of|of the|from)\b", re.I)


def parallel_figures(ranked: list[Candidate]) -> list[Candidate] | None:
    """The figures of the best sentence that count the same thing side by side ("36 beds and …
    24 beds"): two or more of one kind, scale and noun, none said to be a part of another; None
    when the best figure stands alone (a stated total answers as stated)."""
    best = next((c for c in ranked if c.match >= MIN_MATCH), None)
    if best is None or not best.after or best.sentence.kind == "table_row":
        return None
    noun = concept_of(best.after[0])
    same = sorted((c for c in ranked if c.sentence.node_id == best.sentence.node_id and c.after
                   and concept_of(c.after[0]) == noun and c.quantity.kind == best.quantity.kind
                   and c.quantity.scale == best.quantity.scale and not c.is_change),
                  key=lambda c: c.quantity.start)
    same = list({c.quantity.start: c for c in same}.values())
    if len(same) < 2:
        return None
    text = best.sentence.text
    if any(_PART_WORDS.search(text[a.quantity.end:b.quantity.start]) for a, b in zip(same, same[1:])):
        return None
    return same


def parallel_label(c: Candidate) -> str:
    """What sets one parallel figure apart, as written: the names leading to it ("Phnom Penh"),
    else the words right after it ("beds for women")."""
    lead = leading_words(c)
    names = re.findall(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'’-]*", lead)
    if names:
        return " ".join(names[-3:])
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", lead)
             if w.lower() not in STOPWORDS and not extract_quantities(w)]  # "one in the north with" -> north
    return " ".join(words[-2:]) or c.mention
