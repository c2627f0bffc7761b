"""Answers as plain terminal text (the `ask` and `chat` commands): no markdown, no table pipes,
the formula once, and sentence numbers counted as on the web card and in the receipt."""

from __future__ import annotations

import re

from reportqa.models import Answer, Citation, split_row
from ui.render import format_value, sentence_number
from ui.turn import is_bare_heading, plain_reading

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MINUS = re.compile(r"(?<=\s)-(?=\s)")


def plain_text(text: str) -> str:
    """Markdown-free: **bold** unwrapped, leading '#'s dropped, a table row's cells joined by ' · '."""
    text = _HEADING.sub("", _BOLD.sub(r"\1", text or ""))
    if text.strip().startswith("|"):
        cells = [c.strip() for c in split_row(text.strip()) if c.strip()]
        text = " · ".join(cells)
    return text


def answer_line(answer: Answer) -> str:
    """The answer itself: the figure, a computed figure with its formula once, or the text."""
    if answer.kind == "computed" and answer.computation is not None and answer.value is not None:
        formula = _MINUS.sub("−", answer.computation.formula)
        return f"{format_value(answer.value, answer.scale, answer.unit)} = {formula}"
    return plain_text(answer.text)


def where(c: Citation) -> str:
    """'Seed Report (seed.md, p. 2, sentence 3, chars 38-91)'."""
    page = f", p. {c.page}" if c.page is not None else ""
    return f"{plain_text(c.title)} ({c.file}{page}, sentence {sentence_number(c)}, chars {c.start}-{c.end})"


def answer_lines(answer: Answer, understood: bool = False) -> list[tuple[str, str]]:
    """(text, style) lines for a terminal: answer, optional reading, sources or closest sentences."""
    lines = [(answer_line(answer), "")]
    if understood and answer.understood is not None:
        u = answer.understood
        line = f"understood as: {plain_reading(u)}"
        if u.follow_up and u.carried:
            line += f" (took from turn {u.from_turn}: {'; '.join(u.carried)})"
        lines.append((line, "dim"))
        if u.not_carried:
            lines.append(("could not carry over: " + "; ".join(u.not_carried), "yellow"))
    sources = answer.citations or [c for c in answer.related if not is_bare_heading(c)]
    if sources:
        lines.append(("sources:" if answer.citations else "closest sentences:", "dim"))
    for i, c in enumerate(sources, 1):
        lines.append((f"[{i}] {where(c)}\n    “{plain_text(c.text)}”", ""))
    return lines
