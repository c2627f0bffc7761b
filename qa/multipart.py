"""Questions that ask more than one thing ("How many suspects were arrested and how many were
foreigners?"): split into parts, answer each, and join the parts into one Answer, each cited."""

from __future__ import annotations

import re

from reportqa.models import Answer

_SPLIT = re.compile(r",?\s+and\s+(?=(?:how many|how much|what|which|when)\b)", re.I)
# A "between" still waiting for its "and": the "and" that follows joins its two ends.
_OPEN_BETWEEN = re.compile(r"\bbetween\b(?!.*\band\b)", re.I)
_BARE = re.compile(r"^(how many|how much)\s+(?=(?:were|was|are|is|did|do|does|had|have|has)\b)", re.I)
_TARGET = re.compile(r"^(?:how many|how much)\s+((?:[\w'-]+\s+){0,3}?)(?=(?:were|was|are|is|did|do|does|had|have|has)\b)", re.I)


def split_parts(question: str) -> list[str]:
    """The separate questions a question asks; one item when it asks one thing.

    A later part that leaves out what it counts ("and how many were foreigners") borrows the
    noun of the first part ("how many of the suspects were foreigners").
    """
    pieces: list[str] = []
    last = 0
    for m in _SPLIT.finditer(question):
        if _OPEN_BETWEEN.search(question[last:m.start()]):
            continue  # "between the end of the era and when X was ceded": one span, not two questions
        pieces.append(question[last:m.start()])
        last = m.end()
    pieces = [p.strip(" ?") for p in [*pieces, question[last:]] if p.strip(" ?")]
    if len(pieces) < 2:
        return [question]
    m = _TARGET.match(pieces[0])
    noun = m.group(1).strip() if m else ""
    parts = [pieces[0] + "?"]
    for p in pieces[1:]:
        if noun and _BARE.match(p):
            p = _BARE.sub(lambda mm: f"{mm.group(1)} of the {noun} ", p, count=1)
        parts.append(p + "?")
    return parts


def _shift(text: str, offset: int) -> str:
    return re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + offset}]", text)


def join_answers(question: str, parts: list[str], answers: list[Answer]) -> Answer:
    """One Answer holding each part's answer in turn, citations renumbered across the parts."""
    citations, related, texts, values = [], [], [], []
    for part, a in zip(parts, answers):
        offset = len(citations)
        texts.append(f"{part} {_shift(a.text, offset)}")
        citations += a.citations
        related += a.related
        values.append(a.value if not isinstance(a.value, list) else None)
    found = [a for a in answers if a.kind != "not_found"]
    if not found:
        return Answer(question=question, text=" ".join(texts), kind="not_found", related=related[:3])
    numeric = [v for v in values if v is not None]
    return Answer(
        question=question, text=" ".join(texts), kind="figure" if len(found) == len(answers) else found[0].kind,
        value=numeric if len(numeric) > 1 else (numeric[0] if numeric else None),
        unit=found[0].unit, scale=found[0].scale, citations=citations, related=related[:3],
    )
