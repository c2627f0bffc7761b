"""Plain text and Markdown files: decoded, cleaned, and kept as written."""

from __future__ import annotations

import re

from ingest.readers.common import Limits, ReaderResult, clean, decode, first_line
from reportqa.errors import BadInput

_MD_H1 = re.compile(r"^[ ]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


def read_plain(data: bytes, limits: Limits | None = None) -> ReaderResult:
    """A .txt file: its text is the document text."""
    text, warnings = decode(data)
    text = clean(text)
    if not text.strip():
        raise BadInput("file has no text")
    return ReaderResult(text, first_line(text), None, None, warnings)


def read_markdown(data: bytes, limits: Limits | None = None) -> ReaderResult:
    """A .md file: kept as written (its pipe tables are read by ingest.tables); title from the first "# "."""
    text, warnings = decode(data)
    text = clean(text)
    if not text.strip():
        raise BadInput("file has no text")
    m = _MD_H1.search(text)
    return ReaderResult(text, (m.group(1) if m else None), None, None, warnings)
