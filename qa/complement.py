"""Complements: a group the report states only through the rest of its whole.

"What share were female?" over "92% were male" is 100 − 92; "how many of the 47 players were
adults?" over "47 soccer players – including 36 minors" is 47 − 36. The complementary groups
are data (complements.toml); the arithmetic is shown with both operands cited.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from reportqa.bm25 import tokenize
from reportqa.models import Answer

from qa.answers import computed_answer
from qa.bands import BAND_SLACK
from qa.candidates import Candidate
from qa.question import Question, concept_of, parse_question
from qa.ranking import MIN_MATCH, gather, pick_figure
from qa.reader import Snapshot

# "47 soccer players – including 36 minors", "1,200 crew, of whom 300 were women"
_PART_OF = re.compile(r"\b(?:including|of whom|of which|among them|among whom|of these|of those)\b", re.I)
# "358 victims, 265 of them women": the part, then the words that point back to its whole.
_OF_THEM = re.compile(r"^\s+of\s+(?:them|whom|which|these|those)\b", re.I)


@lru_cache(maxsize=1)
def _opposites() -> dict[str, list[str]]:
    """Concept of a group word -> the words of the groups that complete it."""
    data = tomllib.loads((Path(__file__).with_name("complements.toml")).read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for a, b in data["pairs"]:
        out.setdefault(concept_of(tokenize(a)[0]), []).append(b)
        out.setdefault(concept_of(tokenize(b)[0]), []).append(a)
    return out


def _local(c: Candidate) -> set[str]:
    """Concepts right beside a figure: what it counts ("36 minors", "92% were male")."""
    return {concept_of(t) for t in c.after[:3] + c.before[-2:]}


def _asked_group(q: Question) -> tuple[re.Match, str] | None:
    """The word of the question that names a group with a complement, and its concept: one of
    what it counts ("How many men did the authority employ?": men, not employ), else its last."""
    found = []
    for m in re.finditer(r"[A-Za-z]+", q.text):
        toks = tokenize(m.group())
        if toks and concept_of(toks[0]) in _opposites():
            found.append((m, concept_of(toks[0])))
    counted = [f for f in found if f[1] in q.target]
    return (counted or found or [None])[-1]


def complement_answer(q: Question, snap: Snapshot, hits) -> Answer | None:
    """The asked group as the rest of a whole, when only the other group is stated; else None."""
    asked = _asked_group(q)
    if asked is None:
        return None
    m, concept = asked
    if any((c.match >= MIN_MATCH and concept in _local(c)) or (c.match >= MIN_MATCH - BAND_SLACK and c.features.get("band_hit"))
           for c in gather(q, snap, hits)):
        return None  # the report states the asked group itself, by its name or as its band ("over 18" for adults)
    for word in _opposites()[concept]:
        other = concept_of(tokenize(word)[0])
        alt = parse_question(q.text[:m.start()] + word + q.text[m.end():])
        best, _ = pick_figure(alt, gather(alt, snap, hits))
        if best is None or best.match < MIN_MATCH or other not in _local(best):
            continue
        if best.quantity.kind == "percent" or best.scale == "percent":
            if not q.wants_percent:
                continue
            return computed_answer(q, snap, "complement", [best], said="the rest of the whole")
        whole = whole_of(best)
        if whole is not None and whole.value > best.value:
            return computed_answer(q, snap, "rest", [whole, best], said="the rest of the whole")
    return None


# "Of the $454 million in cash ..., $383 million was held abroad": the sentence opens on its whole.
_OPENS_ON_WHOLE = re.compile(r"^\W*(?:of|out of)\s+(?:the\s+|all\s+|a total of\s+)?(?:approximately\s+|about\s+)?\W*$", re.I)


def _opens_on(text: str, whole, part) -> bool:
    """Whether the sentence opens on `whole` ("Of the 90 ferries checked,") before `part`."""
    return bool(_OPENS_ON_WHOLE.match(text[:whole.start])) and "," in text[whole.end:part.start]


def whole_of(part: Candidate) -> Candidate | None:
    """The figure a part is counted in: the one just before it with "including"/"of whom" between
    or "of them" after the part, or the one an "Of the N ..." opening names."""
    before = [o for o in part.sentence_quantities if o.end <= part.quantity.start and o.kind == part.quantity.kind]
    if not before:
        return None
    text = part.sentence.text
    whole = before[-1]
    if _OF_THEM.match(text[part.quantity.end:]):
        return Candidate(quantity=whole, sentence=part.sentence, rank=part.rank, retrieval=part.retrieval)
    if not _PART_OF.search(text[whole.end:part.quantity.start]):
        whole = before[0]
        if not _opens_on(text, whole, part.quantity):
            return None
    return Candidate(quantity=whole, sentence=part.sentence, rank=part.rank, retrieval=part.retrieval)


SHARE_MARGIN = 0.15  # a stated percentage this close in match to the best count is the answer itself
SHARE_PARTS = 3  # the best figures looked at for one counted in a whole


def share_answer(q: Question, snap: Snapshot, hits) -> Answer | None:
    """A share asked of a whole the report gives only as counts ("What is the percentage of the
    cash held outside the U.S.?" over "Of the $454 million in cash, $383 million was held outside
    the U.S."): part / whole × 100. None when a percentage is stated or no whole is named."""
    if not q.wants_percent or q.operation not in ("figure", "ratio"):
        return None
    ranked = gather(q, snap, hits)
    ok = [c for c in ranked if c.match >= MIN_MATCH]
    if not ok:
        return None
    named = _named_whole(q, ranked)
    # "What proportion of the 225 rescued victims were under 15?": the whole is the question's
    # own figure, stated in the report; the part is the best other figure of its kind.
    counts = [c for c in ok if named is None or (c.quantity.kind == named.quantity.kind and 0 < c.value < named.value)]
    if not counts:
        return None
    # The part is the best figure said to be counted in a whole: in "What share of the victims
    # freed were women?" over "freed 358 victims, 265 of them women" the whole 358 may rank first.
    parts = [(c, named or whole_of(c)) for c in counts[:SHARE_PARTS]]
    part, whole = next(((c, w) for c, w in parts if w is not None), (counts[0], None))
    if any((c.quantity.kind == "percent" or c.scale == "percent") and c.match >= part.match - SHARE_MARGIN for c in ok):
        return None  # the report states a share that fits about as well
    if whole is None or whole.value <= 0 or not 0 < part.value < whole.value or whole.quantity.scale != part.quantity.scale:
        return None
    return computed_answer(q, snap, "share", [part, whole], said="the part over its whole")


# "of the 225 rescued victims": the whole a share question names by its figure.
_NAMED_WHOLE = re.compile(r"\bof (?:the |all |these |those )?(\d[\d,]*(?:\.\d+)?)\b(?!\s*%| percent)")


def _named_whole(q: Question, ranked: list[Candidate]) -> Candidate | None:
    """The report's figure for the whole a share question names by number, best ranked first."""
    m = _NAMED_WHOLE.search(q.text)
    if m is None:
        return None
    value = float(m.group(1).replace(",", ""))
    return next((c for c in ranked if c.value == value and c.quantity.kind == "number"
                 and c.match >= MIN_MATCH - NAMED_WHOLE_SLACK), None)


NAMED_WHOLE_SLACK = 0.15  # the whole is said with the question's words about it, not those about its part


# "15 percent of the 12,000 residents": a rate, then the base it is taken of.
_RATE_OF = re.compile(r"^\s*(?:percent|per cent|%)?\s+of\s+(?:the\s+|all\s+|its\s+|their\s+)?$", re.I)


def _opening_base(quantities: list, text: str, rate) -> object | None:
    """The base an "Of the 90 ferries checked, 30% carried ..." opening gives `rate`."""
    base = quantities[0] if quantities else None
    if base is None or _same(base, rate) or base.kind != "number" or base.unit or base.end > rate.start:
        return None
    return base if _opens_on(text, base, rate) else None


def _same(a, b) -> bool:
    return a is not None and b is not None and (a.start, a.end) == (b.start, b.end)


# "How many of the ferries checked carried ...": a part of a whole is asked.
_PART_OF_Q = re.compile(r"\bhow many of (?:the|these|those|all)\b", re.I)


def rate_of_base_answer(q: Question, snap: Snapshot, best: Candidate, ranked: list[Candidate] = ()) -> Answer | None:
    """A count asked where the report gives a rate of a base ("How many of the residents …?"
    over "15 percent of the 12,000 residents", or "Of the 12,000 residents, 15 percent …"):
    rate / 100 × base. None otherwise."""
    if not q.wants_count or q.wants_percent:
        return None
    quantities = best.sentence_quantities
    text = best.sentence.text
    pairs = [(a, b) for a, b in zip(quantities, quantities[1:])
             if a.kind == "percent" and b.kind == "number" and not b.unit and _RATE_OF.match(text[a.end:b.start])]
    pair = next(((a, b) for a, b in pairs if best.quantity in (a, b)), None)
    if pair is None and best.quantity.kind == "percent":
        # "Of the 90 ferries checked, 30% carried too few lifejackets": the base opens the sentence.
        base = _opening_base(quantities, text, best.quantity)
        pair = (best.quantity, base) if base is not None else None
    elif pair is None and _PART_OF_Q.search(q.text):
        # The whole may match "How many of the ferries checked ..." best: its part is the best
        # ranked rate of the same sentence.
        rate = next((c.quantity for c in ranked if c.sentence.node_id == best.sentence.node_id
                     and c.quantity.kind == "percent" and _same(_opening_base(quantities, text, c.quantity), best.quantity)), None)
        pair = (rate, best.quantity) if rate is not None else None
    if pair is None:
        return None
    rate, base = (Candidate(quantity=x, sentence=best.sentence, rank=best.rank, retrieval=best.retrieval) for x in pair)
    return computed_answer(q, snap, "rate_of_base", [rate, base], said="the rate applied to its base")
