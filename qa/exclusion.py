"""Everyone but the named parts: "What share of referrals came from agencies other than the
police and the MLVT?" over "The police (45 percent) and the Ministry of Labour and Vocational
Training (30 percent) made most of the referrals" is 100 − 45 − 30; a count is the whole less
its named parts.

Each named part is the figure said beside its name (or the name's initials: "MLVT" for
"Ministry of Labour and Vocational Training"); every operand is cited and the arithmetic shown.
"""

from __future__ import annotations

import re

from reportqa.bm25 import STOPWORDS, tokenize
from reportqa.models import Answer

from qa.answers import computed_answer
from qa.candidates import Candidate
from qa.complement import whole_of
from qa.question import Question, concept_of, parse_question
from qa.ranking import MIN_MATCH, gather, pick_figure
from qa.reader import Snapshot

# The names run to the question's end or its verb, or to a comma before its verb or its
# question word ("excluding Kampot, Kep or Takeo, were closed", "Apart from women, how many").
_VERB = r"(?:were|was|is|are|did|do|does|has|have|had)\b"
_EXCEPT = re.compile(r"\b(?:other than|except(?:\s+for)?|apart from|excluding)\s+(?:the\s+)?(?P<names>[^?;]+?)\s*"
                     rf"(?:\?|;|,\s*(?=(?:{_VERB}|in\b|during\b|how\b|what\b|which\b))|(?=\s+{_VERB})|$)", re.I)
# "How many of the rescued victims were not women?": the whole less the group it negates.
_NOT = re.compile(r"\b(?:were|was|are|is)\s+not\s+(?:the\s+)?(?P<names>[^?;,]+?)\s*(?:\?|;|,|$)", re.I)
_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|nor)\s+(?:the\s+)?", re.I)
_NAME_WINDOW = 48  # characters before a figure where its name is said ("The police (45 percent)")


def excluded_names(text: str) -> tuple[re.Match, list[str]] | None:
    """The exclusion clause of a question and the names it lists, or None."""
    m = _EXCEPT.search(text) or _NOT.search(text)
    if m is None:
        return None
    names = [n.strip() for n in _SPLIT.split(m.group("names")) if n.strip()]
    return (m, names) if names else None


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[:1].isupper())


def _names_figure(name: str, text: str, start: int) -> bool:
    """Whether `name` is said just before the figure at `start`: its words, or its initials
    spelled out by capitalised words ("Ministry of Labour and Vocational Training" for "MLVT")."""
    window = text[max(0, start - _NAME_WINDOW):start]
    since = re.split(r"\d", window)[-1]  # not past the figure before
    # or right after it, up to the next figure or clause ("265 women", "288 referrals by the police")
    after = re.split(r"\d|[,;.()]", re.sub(r"^[\d,.]*", "", text[start:start + _NAME_WINDOW]), maxsplit=1)[0]
    want = {concept_of(t) for t in tokenize(name) if t not in STOPWORDS}
    if want and (want <= {concept_of(t) for t in tokenize(since)} or want <= {concept_of(t) for t in tokenize(after)}):
        return True
    if name.isupper() and len(name) >= 2:
        caps = re.findall(r"[A-Z][\w-]*(?:\s+(?:and|of|for|the)\s+[A-Z][\w-]*|\s+[A-Z][\w-]*)*", since)
        return any(_initials(c.split()) == name for c in caps)
    return False


def _part(q_text: str, name: str, snap: Snapshot, hits, kind: str | None) -> Candidate | None:
    """The figure the report gives for one named part."""
    alt = parse_question(q_text)
    for c in gather(alt, snap, hits):
        if kind is not None and (c.quantity.kind == "percent" or c.scale == "percent") != (kind == "percent"):
            continue
        if _names_figure(name, c.sentence.text, c.quantity.start):
            return c
    return None


def _same_figure(a: Candidate, b: Candidate) -> bool:
    return a.sentence.node_id == b.sentence.node_id and a.quantity.start == b.quantity.start


def excluded_answer(q: Question, snap: Snapshot, hits) -> Answer | None:
    """The whole less the parts a question excludes, or None when it excludes nothing or a part
    (or, for a count, the whole) is not stated."""
    found = excluded_names(q.text)
    if found is None or q.operation not in ("figure", "ratio"):  # "what share of X other than Y"
        return None
    m, names = found
    rest = (q.text[:m.start()] + q.text[m.end():]).rstrip(" ?") + "?"
    kind = "percent" if q.wants_percent else "number"
    parts: list[Candidate] = []
    i = 0
    while i < len(names):
        # A name with "and" in it ("Ministry of Labour and Vocational Training") was split: the widest
        # join said in full before one figure is the name.
        for width in range(min(3, len(names) - i), 0, -1):
            name = " and ".join(names[i:i + width])
            part = _part(rest.rstrip("?") + " " + name + "?", name, snap, hits, kind)
            if part is not None:
                break
        if part is None or any(_same_figure(p, part) for p in parts):
            return None
        parts.append(part)
        i += width
    if kind == "percent":
        total = sum(p.value for p in parts)
        if total > 100:
            return None
        return computed_answer(q, snap, "complement", parts, said="the rest of 100 % after the named parts")
    # The whole a part is counted in ("358 victims, including 265 women") is the part's own;
    # otherwise the figure the question without its exclusion asks for.
    whole = whole_of(parts[0]) if len(parts) == 1 else None
    if whole is None:
        asked = parse_question(rest)
        whole, _ = pick_figure(asked, gather(asked, snap, hits))
        if whole is None or whole.match < MIN_MATCH:
            return None
    if any(_same_figure(whole, p) for p in parts):
        return None
    total = sum(p.value for p in parts)
    if total >= whole.value:
        return None
    return computed_answer(q, snap, "rest", [whole, *parts], said="the whole less the named parts")
