"""A part a report names only as the rest of its whole: "Of the €12.0 million invested, €7.5
million went to dredging and the rest to new cranes" gives new cranes 12.0 − 7.5; "took 78% of
that amount, and the rest went to outreach" gives outreach 100 − 78. Both operands are cited."""

from __future__ import annotations

import re

from reportqa.bm25 import STOPWORDS, tokenize
from reportqa.models import Answer
from reportqa.quantities import extract_quantities

from qa.answers import computed_answer
from qa.candidates import Candidate
from qa.question import Question, concept_of
from qa.reader import Snapshot

# "the rest (went) to X", "the remainder for X", "the remaining share on X": what the rest is of.
_REST = re.compile(r"\b(?:the\s+)?(?:rest|remainder|balance)\b(?:\s+(?:of\s+it|went|was|were|is|are|goes|go|spent|used))*"
                   r"\s+(?:to|for|on|in|into|with|by)\s+(?P<what>[^;.()]+)", re.I)
_OPENS_ON = re.compile(r"^\W*(?:of|out of)\s+(?:the\s+|a total of\s+|its\s+|their\s+)?$", re.I)
REACH = 5  # retrieved sentences looked at, best first


def rest_answer(q: Question, snap: Snapshot, hits) -> Answer | None:
    """The whole less its stated parts, when the question asks for what a retrieved sentence
    calls the rest (every word of what the rest went to is in the question); else None."""
    if not q.wants_number or not (q.operation == "figure" or (q.operation == "ratio" and q.wants_percent)):
        return None  # "How much … went to X", "What share … went to X"
    asked = {concept_of(t) for t in q.tokens}
    for s, score in hits[:REACH]:
        if s.kind == "table_row":
            continue
        m = _REST.search(s.text)
        if m is None:
            continue
        said = {concept_of(t) for t in tokenize(m.group("what")) if t not in STOPWORDS and not t[0].isdigit()}
        if not said or not said <= asked:
            continue  # "the rest went to staff training, outreach and administration" is not outreach alone
        figures = [x for x in extract_quantities(s.text[:m.start()]) if x.kind in ("money", "number", "percent")]
        answer = _whole_less_parts(q, snap, s, score, figures)
        if answer is not None:
            return answer
    return None


def _whole_less_parts(q: Question, snap: Snapshot, s, score: float, figures: list) -> Answer | None:
    if not figures:
        return None
    kind = figures[-1].kind
    figures = [x for x in figures if x.kind == kind and x.scale == figures[-1].scale]
    as_candidate = lambda x: Candidate(quantity=x, sentence=s, rank=0, retrieval=score)  # noqa: E731
    if kind == "percent":
        parts = figures
        total = sum(x.value for x in parts)
        if not 0 < total < 100:
            return None
        return computed_answer(q, snap, "complement", [as_candidate(x) for x in parts],
                               said="the rest of 100 % after the stated parts")
    whole = figures[0]
    if len(figures) < 2 or not _OPENS_ON.match(s.text[:whole.start]):
        return None  # the whole opens the sentence ("Of the €12.0 million invested, ...")
    parts = figures[1:]
    rest = whole.value - sum(x.value for x in parts)
    if rest <= 0:
        return None
    return computed_answer(q, snap, "rest", [as_candidate(x) for x in [whole, *parts]],
                           said="the whole less the stated parts")
