"""Where the cited figure sits inside its sentence, so it can be marked there and on the page.

The Answer does not carry the figure's offsets inside a citation's sentence, so they are
found again from what it does carry: a computation's operand texts ("358"), a conflict's
alternative texts, and the answer's value (any number in the sentence equal to it, allowing
for a scale word: 1.2 with "million" is 1.2, 1,200,000 is also 1.2 million).
"""

from __future__ import annotations

import re

from reportqa.models import Answer

_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
_SCALES = (1.0, 1e3, 1e6, 1e9)


def _number_spans(text: str, values: list[float]) -> list[tuple[int, int]]:
    """Spans of numbers in `text` equal to one of `values` (any scale), first match per value."""
    spans: list[tuple[int, int]] = []
    for v in values:
        for m in _NUMBER.finditer(text):
            try:
                x = float(m.group(0).replace(",", ""))
            except ValueError:
                continue
            if any(abs(x * s - v) < 1e-6 * max(1.0, abs(v)) or abs(x - v * s) < 1e-6 * max(1.0, abs(x))
                   for s in _SCALES):
                spans.append((m.start(), m.end()))
                break
    return spans


def _literal_span(text: str, literal: str) -> tuple[int, int] | None:
    """The first whole-token occurrence of `literal` in `text`."""
    literal = literal.strip()
    if not literal:
        return None
    m = re.search(rf"(?<![\w.]){re.escape(literal)}(?![\w])", text)
    return (m.start(), m.end()) if m else None


def figure_spans(answer: Answer, n: int) -> list[tuple[int, int]]:
    """Offsets of the figures citation `n` (1-based) contributes, inside that citation's text.

    Empty when the figure cannot be found (a passage, or a value written in words).
    """
    if not 1 <= n <= len(answer.citations) or answer.kind in ("not_found", "passage"):
        return []
    text = answer.citations[n - 1].text
    spans: list[tuple[int, int]] = []
    literals: list[str] = []
    values: list[float] = []
    if answer.computation is not None:
        for o in answer.computation.operands:
            if o.citation == n:
                literals.append(o.text)
                values.append(o.value)
    alt_cites = {a.get("citation") for a in answer.alternatives}
    for alt in answer.alternatives:
        if alt.get("citation") == n:
            if alt.get("text"):
                literals.append(str(alt["text"]))
            if isinstance(alt.get("value"), (int, float)):
                values.append(float(alt["value"]))
    if answer.computation is None and n not in alt_cites and answer.value is not None:
        values.extend(answer.value if isinstance(answer.value, list) else [answer.value])
    for lit in literals:
        span = _literal_span(text, lit)
        if span:
            spans.append(span)
    if not spans:
        spans = _number_spans(text, values)
    return sorted(set(spans))
