"""The grounding gate: every number an Answer shows must come from a cited sentence or
from the computation it shows. Anything else is a bug, and is refused."""

from __future__ import annotations

import re

from reportqa.models import Answer

from reportqa.quantities import normalize_values

_NUM = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")


class UngroundedAnswer(AssertionError):
    """An Answer that shows a number nobody can check: a bug, never shown to users."""


def _numbers(text: str) -> list[float]:
    out = []
    for m in _NUM.finditer(text):
        try:
            out.append(round(float(m.group(0).replace(",", "")), 2))
        except ValueError:
            pass
    return out


def ungrounded_numbers(answer: Answer) -> list[float]:
    """Numbers in answer.text not found in its citations or its computation."""
    allowed: set[float] = set()
    for c in answer.citations:
        allowed |= normalize_values(c.text)
        allowed |= set(_numbers(c.text))
    for c in answer.related:
        allowed |= normalize_values(c.text)
        allowed |= set(_numbers(c.text))
    allowed |= set(range(0, len(answer.citations) + len(answer.related) + 1))  # citation markers [n]
    allowed |= set(_numbers(answer.question))  # echoing the question's own numbers claims nothing
    if answer.computation is not None:
        allowed.add(round(answer.computation.result, 2))
        allowed |= {round(o.value, 2) for o in answer.computation.operands}
        allowed |= set(_numbers(answer.computation.formula))
        allowed.add(100.0)  # the ×100 of a percentage
        allowed.add(float(len(answer.computation.operands)))  # the divisor of an average
    return [x for x in _numbers(answer.text) if x not in allowed and abs(x) not in allowed]


def check_grounded(answer: Answer) -> None:
    """Raise UngroundedAnswer if the answer shows a number it cannot back up."""
    bad = ungrounded_numbers(answer)
    if bad:
        raise UngroundedAnswer(f"answer shows ungrounded numbers {bad}: {answer.text!r}")
