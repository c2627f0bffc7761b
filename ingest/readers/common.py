"""Shared pieces of the readers: decoding text files, cleaning text, titles and error messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from ingest.tables import TableHint
from reportqa.errors import BadInput

MAX_TITLE = 150
_SNIFF_BYTES = 8192
_BINARY_CONTROL_RATIO = 0.30

# C0 controls except \t and \n (and \r, which is normalised away before this runs), plus DEL.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Bytes that ordinary text files contain below 0x20: tab, LF, CR, form feed, backspace, ESC.
_TEXT_CONTROL_BYTES = frozenset(b"\t\n\r\f\b\x1b")
_SPACES = re.compile(r"\s+")



class ReaderResult(NamedTuple):
    """What a reader returns: the text of record and what it knows about it."""

    text: str
    title: str | None
    pages: int | None
    page_starts: list[int] | None
    warnings: list[str]
    hints: list[TableHint] = []
    # PDF: [start, end, page, x0, top, x1, bottom] of each line of the text (see Document.line_boxes)
    boxes: list[list[float]] | None = None


@dataclass
class Limits:
    """Size limits a reader applies to tables (from the settings)."""

    max_table_rows: int = 20_000
    max_table_cells: int = 200_000


def looks_binary(data: bytes) -> bool:
    """True for data that is almost certainly not a text file (same idea as git and grep)."""
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if (b < 0x20 and b not in _TEXT_CONTROL_BYTES) or b == 0x7F)
    return controls > _BINARY_CONTROL_RATIO * len(sample)


def decode(data: bytes) -> tuple[str, list[str]]:
    """Bytes of a text file to str, refusing binary data and flagging bad UTF-8."""
    # A UTF-16 file (Windows "Unicode" export) is full of NUL bytes, so it must be
    # recognised by its BOM before the binary sniffing would reject it.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    if looks_binary(data):
        raise BadInput("looks like a binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), ["invalid UTF-8 bytes replaced"]


def clean(text: str) -> str:
    """Normalise line endings and blank out control characters (offsets stay stable after this)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    # Replaced by a space rather than deleted so that words on either side stay apart.
    return _CONTROL_CHARS.sub(" ", text)


def first_line(text: str) -> str | None:
    """The first non-empty line, if it is short enough to be a title."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line if len(line) <= MAX_TITLE else None
    return None


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = _SPACES.sub(" ", _CONTROL_CHARS.sub(" ", title)).strip()
    return title or None


def collapse(s: str) -> str:
    return _SPACES.sub(" ", s).strip()


def short(exc: BaseException | None) -> str:
    """A one-line, bounded description of a library exception for a person to read."""
    if exc is None:
        return "unknown error"
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    msg = msg or type(exc).__name__
    return msg if len(msg) <= 200 else msg[:197] + "..."


