"""Split a document's text into retrievable units with exact character offsets.

Prose goes through pysbd (abbreviations, decimals, amounts); headings, list items
and Markdown table rows become units of their own. Offsets are found by walking
forward through the text, never by searching from the start, so a sentence that
occurs twice gets two different positions.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ingest.tables import TABLE_SEP, find_tables, parse_table
from reportqa.models import Cell, Sentence, Table

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_ITEM = re.compile(r"^\s*(?:[-*+•▪◦‣·]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s+\S")
_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_SEP = TABLE_SEP
_SCALE_PHRASE = re.compile(
    r"\b(?:in|\$\s*in|amounts? in|expressed in)\s+(thousands|millions|billions)\b", re.IGNORECASE
)
_WORD = re.compile(r"\S+")
# pysbd's time grows with the square of its input (10,000 characters: 0.4 s; 200,000: 80 s),
# so prose is fed to it in windows of this size; inside a window it runs at ~100,000 chars/s.
_PYSBD_WINDOW = 5_000
# A "paragraph" longer than this is not prose a person wrote (a minified dump, a 10 MB line):
# even windowed, pysbd would take minutes, so a plain punctuation rule splits it instead.
_PYSBD_MAX_BLOCK = 100_000
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s)")


@dataclass
class _Block:
    start: int
    end: int
    kind: str  # "prose", "heading", "item", "table"


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def _blocks(text: str) -> Iterator[tuple[int, list[_Block]]]:
    """Yield (paragraph index, blocks) for each blank-line-separated paragraph."""
    para_idx = 0
    pos = 0
    for m in list(_BLANK_LINE.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        if chunk.strip():
            yield para_idx, list(_line_blocks(text, pos, end))
            para_idx += 1
        pos = m.end() if m else len(text)


def _line_blocks(text: str, start: int, end: int) -> Iterator[_Block]:
    """Group a paragraph's lines: tables, headings and list items stand alone; prose lines join."""
    prose_start = None
    prose_end = None
    table_start = None
    table_end = None
    line_start = start
    while line_start < end:
        nl = text.find("\n", line_start, end)
        line_end = end if nl == -1 else nl
        line = text[line_start:line_end]
        kind = None
        if _TABLE_LINE.match(line) or (table_start is not None and _TABLE_SEP.match(line)):
            kind = "table"
        elif _HEADING.match(line):
            kind = "heading"
        elif _ITEM.match(line):
            kind = "item"
        if kind != "table" and table_start is not None:
            yield _Block(table_start, table_end, "table")
            table_start = None
        if kind is not None and prose_start is not None:
            yield _Block(prose_start, prose_end, "prose")
            prose_start = None
        if kind == "table":
            if table_start is None:
                table_start = line_start
            table_end = line_end
        elif kind in ("heading", "item"):
            if line.strip():
                yield _Block(line_start, line_end, kind)
        elif line.strip():
            if prose_start is None:
                prose_start = line_start
            prose_end = line_end
        line_start = line_end + 1
    if table_start is not None:
        yield _Block(table_start, table_end, "table")
    if prose_start is not None:
        yield _Block(prose_start, prose_end, "prose")


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _align(text: str, piece: str, cursor: int, limit: int) -> tuple[int, int] | None:
    """Find `piece` at or after `cursor`, tolerating whitespace the splitter changed."""
    piece = piece.strip()
    if not piece:
        return None
    idx = text.find(piece, cursor, limit)
    if idx != -1:
        return idx, idx + len(piece)
    tokens = piece.split()
    pattern = re.compile(r"\s+".join(re.escape(t) for t in tokens))
    m = pattern.search(text, cursor, limit)
    if m:
        return m.start(), m.end()
    return None


def _split_prose(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of a prose block, aligned forward; long blocks go through in windows."""
    if end - start > _PYSBD_MAX_BLOCK:
        return _split_by_rule(text, start, end)
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        hi = end if end - pos <= _PYSBD_WINDOW else _soft_cut(text, pos, pos + _PYSBD_WINDOW)
        part = _pysbd_spans(text, pos, hi)
        if hi < end and len(part) > 1:
            # The window's last sentence may go on past the cut: the next window starts
            # with it, so pysbd sees every sentence whole and decides as it would unwindowed.
            pos = part.pop()[0]
        else:
            pos = hi
        spans.extend(part)
    return spans


def _soft_cut(text: str, start: int, limit: int) -> int:
    """A cut point at or before `limit` that does not fall inside a word (unless no space at all)."""
    cut = max(text.rfind(" ", start, limit), text.rfind("\n", start, limit))
    return cut if cut > start else limit


def _pysbd_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end] via pysbd, aligned forward."""
    chunk = unwrap(text[start:end])
    spans: list[tuple[int, int]] = []
    cursor = start
    try:
        pieces = _segmenter().segment(chunk)
    except Exception:  # pysbd can fail on pathological input; keep the block whole
        pieces = [chunk]
    for piece in pieces:
        found = _align(text, piece, cursor, end)
        if found is None:
            continue
        s, e = found
        if s > cursor and text[cursor:s].strip():
            # pysbd dropped characters: keep them inside the previous unit or a new one
            gs, ge = _strip_span(text, cursor, s)
            spans.append((gs, ge))
        spans.append((s, e))
        cursor = e
    if text[cursor:end].strip():
        spans.append(_strip_span(text, cursor, end))
    return spans


_LINE_END_STOP = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*\s*$")


def unwrap(chunk: str) -> str:
    """A prose block with its line wraps turned into spaces (same length, so offsets hold).

    pysbd ends a sentence at every newline; a line broken by the page width ("In 2023" /
    "inspectors visited 540 sites") is one sentence. A newline stays where the line before
    ends a sentence or is short beside its neighbours (a title over a paragraph), unless the
    next line starts in lower case.
    """
    if "\n" not in chunk:
        return chunk
    lines = chunk.split("\n")
    longest = max(len(ln.strip()) for ln in lines)
    out = [lines[0]]
    for prev, ln in zip(lines, lines[1:]):
        p, n = prev.strip(), ln.strip()
        joined = bool(p and n) and (n[0].islower() or (not _LINE_END_STOP.search(p) and len(p) >= 0.6 * longest))
        out.append((" " if joined else "\n") + ln)
    return "".join(out)


def _split_by_rule(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Linear-time split after . ! ? followed by a space; no unit longer than a pysbd window."""
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.extend(_capped(text, pos, m.end()))
        pos = m.end()
    spans.extend(_capped(text, pos, end))
    return spans


def _capped(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """text[start:end] stripped, in pieces of at most _PYSBD_WINDOW characters cut between words."""
    out: list[tuple[int, int]] = []
    while end - start > _PYSBD_WINDOW:
        cut = _soft_cut(text, start, start + _PYSBD_WINDOW)
        s, e = _strip_span(text, start, cut)
        if e > s:
            out.append((s, e))
        start = cut
    s, e = _strip_span(text, start, end)
    if e > s:
        out.append((s, e))
    return out


def _split_long(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """Split an over-long sentence after each ';' so each part stays retrievable on its own."""
    if len(_WORD.findall(text[start:end])) <= max_words or ";" not in text[start:end]:
        return [(start, end)]
    parts: list[tuple[int, int]] = []
    s = start
    for i in range(start, end):
        if text[i] == ";":
            parts.append(_strip_span(text, s, i + 1))
            s = i + 1
    parts.append(_strip_span(text, s, end))
    return [p for p in parts if p[1] > p[0]]


def _row_units(text: str, table: Table, caption: str | None) -> Iterator[tuple[int, int, list[str] | None, str | None, list[Cell]]]:
    """Each row of a table with the column headers it sits under and its cells."""
    by_row: dict[int, list[Cell]] = {}
    for c in table.cells:
        by_row.setdefault(c.row, []).append(c)
    header = [" ".join(p) for p in _column_paths(table)]
    n_head = len(table.header_rows)
    note = table.caption or caption or table.unit
    pos, ri = table.start, 0
    while pos < table.end:
        nl = text.find("\n", pos, table.end)
        le = table.end if nl == -1 else nl
        line = text[pos:le]
        if line.strip() and not _TABLE_SEP.match(line):
            s, e = _strip_span(text, pos, le)
            yield s, e, (header if ri >= n_head else None), note, by_row.get(ri, [])
            ri += 1
        pos = le + 1


def _column_paths(table: Table) -> list[list[str]]:
    paths: list[list[str]] = [[] for _ in range(table.n_columns)]
    for c in table.cells:
        if c.row == len(table.header_rows) - 1 or (c.row >= len(table.header_rows) and not paths[c.column]):
            paths[c.column] = c.column_path
    for c in table.cells:
        if not paths[c.column] and c.column_path:
            paths[c.column] = c.column_path
    return paths


TITLE_WORDS = 8  # a line this short right above a table names it ("Takeo province.", "Victims by age")


def table_title(block: str) -> str | None:
    """The title a line right above a table gives it: one short line of two words or more.

    A one-word line ("Table", "Results") names no particular table, and a longer paragraph
    is text about the table, not its name."""
    line = block.strip().lstrip("#").strip()
    words = line.split()
    if "\n" in line or not 2 <= len(words) <= TITLE_WORDS:
        return None
    return line


def split_sentences(
    doc_id: str,
    text: str,
    page_starts: list[int] | None = None,
    max_words: int = 60,
    tables: list[Table] | None = None,
    boxes: list[list[float]] | None = None,
) -> list[Sentence]:
    """All units of `text`, in order, with `text[start:end] == unit.text` for each.

    Table rows carry their cells (from `tables`, read from the text when not given).
    `boxes` ([start, end, page, x0, top, x1, bottom] per laid-out line, a PDF reader's)
    give each unit its page and box: the lines it covers on its first page.
    """
    out: list[Sentence] = []
    if tables is None:
        tables = find_tables(text, page_starts)
    table_at = {t.start: t for t in tables}
    recent_prose: list[str] = []
    last_block = ("", "")  # kind and text of the block before this one: a table's title line

    def page_of(offset: int) -> int | None:
        if not page_starts:
            return None
        return bisect.bisect_right(page_starts, offset)

    def add(s: int, e: int, para: int, kind: str, header=None, caption=None, cells=()) -> None:
        out.append(
            Sentence(
                doc_id=doc_id, index=len(out), start=s, end=e, text=text[s:e], page=page_of(s),
                paragraph=para, kind=kind, table_header=header, caption=caption, cells=list(cells),
            )
        )

    for para, blocks in _blocks(text):
        for block in blocks:
            if block.kind == "table":
                caption = None
                for prev in reversed(recent_prose[-2:]):
                    m = _SCALE_PHRASE.search(prev)
                    if m:
                        caption = m.group(0)
                        break
                title = table_title(last_block[1]) if last_block[0] in ("heading", "prose") else None
                if title and (caption is None or caption.lower() in title.lower()):
                    caption = title
                elif title:
                    caption = f"{title} ({caption})"
                table = table_at.get(block.start)
                if table is None:
                    table = parse_table(text, block.start, block.end, len(tables), page_starts)
                if table is not None:
                    for s, e, header, cap, cells in _row_units(text, table, caption):
                        add(s, e, para, "table_row", header, cap, cells)
                last_block = ("table", "")
                continue
            spans = (
                [_strip_span(text, block.start, block.end)] if block.kind == "heading"
                else _split_prose(text, block.start, block.end)
            )
            for s, e in spans:
                for ps, pe in _split_long(text, s, e, max_words):
                    add(ps, pe, para, block.kind if block.kind != "prose" else "sentence")
            recent_prose.append(text[block.start:block.end])
            last_block = (block.kind, recent_prose[-1])
    if boxes:
        add_boxes(out, boxes)
    return out


def add_boxes(sentences: list[Sentence], boxes: list[list[float]]) -> None:
    """Give each sentence the union of the boxes of its lines on the first page it touches."""
    boxes = sorted(boxes, key=lambda b: b[0])
    starts = [b[0] for b in boxes]
    for s in sentences:
        k = max(0, bisect.bisect_right(starts, s.start) - 1)
        hit: list[list[float]] = []
        while k < len(boxes) and boxes[k][0] < s.end:
            b = boxes[k]
            if b[1] > s.start and (not hit or b[2] == hit[0][2]):
                hit.append(b)
            k += 1
        if hit:
            s.page = int(hit[0][2])
            s.bbox = [round(min(b[3] for b in hit), 2), round(min(b[4] for b in hit), 2),
                      round(max(b[5] for b in hit), 2), round(max(b[6] for b in hit), 2)]
