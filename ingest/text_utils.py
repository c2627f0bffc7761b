"""Small text helpers shared by the readers (plain, HTML, PDF, DOCX)."""

from __future__ import annotations

import re

MAX_TITLE = 150

# C0 controls except \t and \n (and \r, which is normalised away before this runs), plus DEL.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
SPACES = re.compile(r"\s+")

# A reader returns (text, title or None, page count, page starts, warnings).
ReaderResult = tuple[str, str | None, int | None, list[int] | None, list[str]]


def clean(text: str) -> str:
    """Normalise line endings and blank out control characters (offsets stay stable after this)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    # Replaced by a space rather than deleted so that words on either side stay apart.
    return CONTROL_CHARS.sub(" ", text)


def first_line(text: str) -> str | None:
    """The first non-empty line, if it is short enough to be a title."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line if len(line) <= MAX_TITLE else None
    return None


def collapse(s: str) -> str:
    return SPACES.sub(" ", s).strip()


def short(exc: BaseException | None) -> str:
    """A one-line, bounded description of a library exception for a person to read."""
    if exc is None:
        return "unknown error"
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    msg = msg or type(exc).__name__
    return msg if len(msg) <= 200 else msg[:197] + "..."
