"""The grounding gate: every number an Answer shows must come from a cited sentence or
from the computation it shows. Anything else is a bug: the answer is refused and replaced
by an abstention that lists the sentences, and the refusal is logged."""

from __future__ import annotations

import logging
import math
import re

from reportqa.errors import ReportQAError
from reportqa.models import Answer
from reportqa.quantities import normalize_values

log = logging.getLogger("qa.grounding")

_NUM = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
_LOOSE_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")  # also "FY2019", "Q3": labels the question or a source writes
_MARKER = re.compile(r"\[\d+\]")  # citation markers are references, not figures


class UngroundedAnswer(ReportQAError):
    """An Answer that shows a number nobody can check: a bug, never shown to users."""


def _numbers(text: str, pattern: re.Pattern = _NUM) -> list[float]:
    out = []
    for m in pattern.finditer(text):
        try:
            value = float(m.group(0).replace(",", ""))
        except (ValueError, OverflowError):
            continue
        if math.isfinite(value):
            out.append(round(value, 2))
    return out


def _source_numbers(text: str) -> set[float]:
    return normalize_values(text) | set(_numbers(text)) | set(_numbers(text, _LOOSE_NUM))


def ungrounded_numbers(answer: Answer) -> list[float]:
    """Numbers in answer.text (citation markers stripped) not found in its citations, its
    question or its computation. 100 and the operand count pass only when the formula uses them."""
    allowed: set[float] = set()
    for c in list(answer.citations) + list(answer.related):
        allowed |= _source_numbers(c.text)
        if c.cell is not None:  # a cited cell is read under its headers ("2019"), which it states too
            allowed |= _source_numbers(" ".join(c.cell.row_path + c.cell.column_path))
        if c.table_header:  # so is a cited row: "2018: $(2,694)" names the column it sits in
            allowed |= _source_numbers(" ".join(c.table_header))
    allowed |= _source_numbers(answer.question)  # echoing the question's own numbers claims nothing
    if answer.computation is not None:
        comp = answer.computation
        allowed.add(round(comp.result, 2))
        allowed |= {round(o.value, 2) for o in comp.operands}
        allowed |= set(_numbers(_MARKER.sub(" ", comp.formula), _LOOSE_NUM))
    shown = _MARKER.sub(" ", answer.text)
    return [x for x in _numbers(shown) if x not in allowed and abs(x) not in allowed]


def check_grounded(answer: Answer) -> None:
    """Raise UngroundedAnswer if the answer shows a number it cannot back up."""
    bad = ungrounded_numbers(answer)
    if bad:
        raise UngroundedAnswer(f"answer shows ungrounded numbers {bad}: {answer.text!r}")


def grounded_or_abstain(answer: Answer) -> Answer:
    """The answer if it passes the gate; otherwise an abstention listing its sentences, logged as a bug."""
    try:
        check_grounded(answer)
    except UngroundedAnswer as e:
        log.error("bug: grounding gate refused an answer to %r: %s", answer.question, e)
        return Answer(question=answer.question, kind="not_found",
                      text="The reports don't say this in a way that can be checked; the closest sentences are listed.",
                      related=list(answer.citations) + list(answer.related))
    return answer
