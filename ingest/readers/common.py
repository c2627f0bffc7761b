"""Shared pieces of the readers: decoding text files, cleaning text, titles and error messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from ingest.tables import TableHint
from reportqa.errors import BadInput

MAX_TITLE = 150
_SNIFF_BYTES = 8192
_DETECT_BYTES = 65536  # what charset-normalizer is shown of a file that looks binary
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
    """Size limits a reader applies to what it reads (from the settings; see docs/limits.md)."""

    max_table_rows: int = 20_000
    max_table_cells: int = 200_000
    max_table_cols: int = 200
    max_cell_chars: int = 2_000
    max_line_chars: int = 200_000
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_docx_xml_bytes: int = 10 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings) -> Limits:
        """The limits named in `settings` (defaults for None)."""
        if settings is None:
            return cls()
        return cls(
            max_table_rows=settings.max_table_rows, max_table_cells=settings.max_table_cells,
            max_table_cols=settings.max_table_cols, max_cell_chars=settings.max_cell_chars,
            max_line_chars=settings.max_line_chars,
            max_unzipped_bytes=int(settings.max_unzipped_mb * 1024 * 1024),
            max_docx_xml_bytes=int(settings.max_docx_xml_mb * 1024 * 1024),
        )


def cap_rows(rows: list[list[str]], limits: Limits, what: str, warnings: list[str]) -> list[list[str]]:
    """Rows within the table limits (rows, columns, cells, characters per cell); every cut is
    named in `warnings`, never silent."""
    if len(rows) > limits.max_table_rows:
        warnings.append(f"{what} has {len(rows):,} rows; read the first {limits.max_table_rows:,} "
                        "(REPORTQA_MAX_TABLE_ROWS)")
        rows = rows[: limits.max_table_rows]
    width = max((len(r) for r in rows), default=0)
    if width > limits.max_table_cols:
        warnings.append(f"{what} has {width:,} columns; read the first {limits.max_table_cols:,} "
                        "(REPORTQA_MAX_TABLE_COLS)")
        rows = [r[: limits.max_table_cols] for r in rows]
        width = limits.max_table_cols
    if width and width * len(rows) > limits.max_table_cells:
        keep = max(1, limits.max_table_cells // width)
        warnings.append(f"{what} has {width * len(rows):,} cells; read the first {keep:,} rows "
                        "(REPORTQA_MAX_TABLE_CELLS)")
        rows = rows[:keep]
    long_cells = sum(1 for r in rows for c in r if len(c) > limits.max_cell_chars)
    if long_cells:
        warnings.append(f"{what}: {long_cells:,} cell(s) longer than {limits.max_cell_chars:,} characters "
                        "were cut (REPORTQA_MAX_CELL_CHARS)")
        rows = [[c[: limits.max_cell_chars] for c in r] for r in rows]
    return rows


def break_long_lines(text: str, limit: int, warnings: list[str]) -> str:
    """Lines longer than `limit` broken into paragraphs at a space (or anywhere, when a run has
    none), so no sentence, table row or context window grows without bound.

    Table rows ("| a | b |") are left alone: the readers bound them by columns and cell size.
    """
    if len(text) <= limit or all(len(line) <= limit for line in text.split("\n")):
        return text
    out: list[str] = []
    broken = 0
    for line in text.split("\n"):
        if len(line) <= limit or line.lstrip().startswith("|"):
            out.append(line)
            continue
        broken += 1
        pieces = []
        while len(line) > limit:
            cut = line.rfind(" ", limit // 2, limit)
            cut = cut if cut > 0 else limit
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        pieces.append(line)
        out.append("\n\n".join(p for p in pieces if p))
    warnings.append(f"{broken:,} line(s) longer than {limit:,} characters were broken into paragraphs "
                    "(REPORTQA_MAX_LINE_CHARS)")
    return "\n".join(out)


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
        wide = _wide_unicode(data)
        if wide is not None:
            return wide
        raise BadInput("looks like a binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), ["invalid UTF-8 bytes replaced"]


def _wide_unicode(data: bytes) -> tuple[str, list[str]] | None:
    """UTF-16 or UTF-32 text without a byte-order mark (NUL bytes in every other byte), or None.

    charset-normalizer (a kept library) names the encoding; it is trusted only for these
    wide encodings, and only when the decoded text does not itself look binary, so a
    binary file is not read as a page of CJK characters.
    """
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:_DETECT_BYTES]).best()
    if best is None or not best.encoding.startswith(("utf_16", "utf_32")):
        return None
    text = data[: len(data) - len(data) % (4 if best.encoding.startswith("utf_32") else 2)].decode(
        best.encoding, errors="replace")
    sample = text[:_SNIFF_BYTES]
    odd = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 0x20 and ch not in "\t\n\r\f"))
    if not sample.strip() or odd > _BINARY_CONTROL_RATIO * len(sample) / 3:
        return None
    return text, [f"read as {best.encoding.replace('_', '-').upper()} (no byte-order mark)"]


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


