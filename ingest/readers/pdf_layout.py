"""The layout of one PDF page (pdfplumber): text lines and tables, in reading order.

Ruled tables come from pdfplumber's line finder. Borderless tables are found from the
words: a line whose words fall into two or more groups separated by wide gaps, with a
number in a group after the first, is a table line; three or more such lines in a row
(plus the header lines right above them) are a table. Columns are the groups of the
line with the most groups; every other group goes to the column it overlaps most. A row
label indented beyond the table's left edge sits under the row above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.tables import parse_number, unit_note

_YEARISH = re.compile(r"^\W*(?:FY\s*)?(?:19|20)\d\d\W*$", re.I)
MIN_TABLE_LINES = 3


@dataclass
class PageItem:
    """A block of a page: running text, or a table's rows."""

    kind: str  # "text" or "table"
    top: float
    bottom: float
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    header_rows: int = 1
    levels: list[int] = field(default_factory=list)
    caption: str | None = None
    bbox: list[float] | None = None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class _Line:
    top: float
    bottom: float
    words: list[dict]
    groups: list[tuple[float, float, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)


def _lines(words: list[dict]) -> list[_Line]:
    """Words grouped into lines by their vertical position."""
    lines: list[_Line] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(w["top"] - lines[-1].top) <= 2.5:
            lines[-1].words.append(w)
            lines[-1].bottom = max(lines[-1].bottom, w["bottom"])
        else:
            lines.append(_Line(w["top"], w["bottom"], [w]))
    for ln in lines:
        ln.words.sort(key=lambda w: w["x0"])
        height = max(ln.bottom - ln.top, 4.0)
        gap = 1.2 * height  # a word space is ~0.3 of the font size; a column gap is wider
        groups: list[list[dict]] = []
        for w in ln.words:
            if groups and w["x0"] - groups[-1][-1]["x1"] <= gap:
                groups[-1].append(w)
            else:
                groups.append([w])
        ln.groups = [(g[0]["x0"], g[-1]["x1"], " ".join(x["text"] for x in g)) for g in groups]
    return lines


def _is_value(text: str) -> bool:
    return parse_number(text) is not None and not _YEARISH.match(text)


def _table_line(ln: _Line) -> bool:
    return len(ln.groups) >= 2 and any(_is_value(g[2]) or g[2] in ("-", "–", "—") for g in ln.groups[1:])


def _header_line(ln: _Line) -> bool:
    return len(ln.groups) >= 2 and not any(_is_value(g[2]) for g in ln.groups)


def _borderless(lines: list[_Line], taken: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of lines forming whitespace-aligned tables."""
    out = []
    i = 0
    while i < len(lines):
        if any(t <= lines[i].top <= b for t, b in taken) or not _table_line(lines[i]):
            i += 1
            continue
        j = i
        while j < len(lines) and (_table_line(lines[j]) or (j + 1 < len(lines) and _table_line(lines[j + 1])
                                                             and len(lines[j].groups) == 1 and j > i)):
            j += 1
        if sum(1 for k in range(i, j) if _table_line(lines[k])) >= MIN_TABLE_LINES:
            start = i
            while start > 0 and _header_line(lines[start - 1]) and i - start < 3:
                start -= 1
            out.append((start, j))
            i = j
        else:
            i += 1
    return out


def _grid(lines: list[_Line]) -> tuple[list[list[str]], list[int], int]:
    """Rows of cells, the nesting level of each row label, and the number of header rows."""
    template = max(lines, key=lambda ln: len(ln.groups))
    cols = [(g[0], g[1]) for g in template.groups]
    left = min(ln.groups[0][0] for ln in lines)
    rows, levels = [], []
    for ln in lines:
        row = [""] * len(cols)
        for x0, x1, text in ln.groups:
            best, overlap = 0, None
            for k, (c0, c1) in enumerate(cols):
                ov = min(x1, c1) - max(x0, c0)
                dist = -abs((x0 + x1) / 2 - (c0 + c1) / 2)
                key = (ov, dist) if ov > 0 else (ov, dist)
                if overlap is None or key > overlap:
                    best, overlap = k, key
            if x0 < cols[0][1] and best != 0 and not _is_value(text):
                best = 0
            row[best] = (row[best] + " " + text).strip()
        rows.append(row)
        indent = ln.groups[0][0] - left if row[0] else 0
        levels.append(int(indent // 8) if indent > 4 else 0)
    n_head = 0
    while n_head < len(lines) - 1 and _header_line(lines[n_head]):
        n_head += 1
    return rows, levels, max(1, n_head)


def _ruled_levels(table, keep: list[int], words: list[dict]) -> list[int]:
    """Nesting level of each kept row's label, from how far its text starts inside the first cell."""
    starts: list[float | None] = []
    for i in keep:
        cell = table.rows[i].cells[0] if table.rows[i].cells else None
        if cell is None:
            starts.append(None)
            continue
        x0, top, x1, bottom = cell
        inside = [w["x0"] for w in words if x0 - 1 <= w["x0"] <= x1 and top - 1 <= w["top"] <= bottom]
        starts.append(min(inside) if inside else None)
    known = [x for x in starts if x is not None]
    left = min(known) if known else 0.0
    return [int((x - left) // 8) if x is not None and x - left > 4 else 0 for x in starts]


def page_items(page) -> list[PageItem]:
    """The page's text and tables, top to bottom."""
    items: list[PageItem] = []
    taken: list[tuple[float, float]] = []
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2.5)
    for t in page.find_tables():
        extracted = t.extract()
        keep = [i for i, r in enumerate(extracted) if any(c for c in r)]
        rows = [[c or "" for c in extracted[i]] for i in keep]
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        x0, top, x1, bottom = t.bbox
        items.append(PageItem("table", top, bottom, rows=rows, header_rows=1,
                              levels=_ruled_levels(t, keep, words), bbox=[round(v, 2) for v in t.bbox]))
        taken.append((top - 1, bottom + 1))
    lines = _lines(words)
    for i, j in _borderless(lines, taken):
        rows, levels, n_head = _grid(lines[i:j])
        top, bottom = lines[i].top, lines[j - 1].bottom
        x0 = min(w["x0"] for ln in lines[i:j] for w in ln.words)
        x1 = max(w["x1"] for ln in lines[i:j] for w in ln.words)
        items.append(PageItem("table", top, bottom, rows=rows, header_rows=n_head, levels=levels,
                              bbox=[round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)]))
        taken.append((top - 0.5, bottom + 0.5))
    if not items:
        return []
    # Text lines outside the tables, grouped into paragraphs by vertical gaps.
    text_lines = [ln for ln in lines if not any(t <= (ln.top + ln.bottom) / 2 <= b for t, b in taken)]
    para: list[_Line] = []

    def flush() -> None:
        if para:
            items.append(PageItem("text", para[0].top, para[-1].bottom, text="\n".join(ln.text for ln in para)))
            para.clear()

    for ln in text_lines:
        if para and ln.top - para[-1].bottom > 0.9 * (para[-1].bottom - para[-1].top):
            flush()
        para.append(ln)
    flush()
    items.sort(key=lambda it: it.top)
    # A short line right above a table that names it or states its unit is its caption.
    for k, it in enumerate(items):
        if it.kind == "table" and k > 0 and items[k - 1].kind == "text":
            last = items[k - 1].text.split("\n")[-1].strip()
            if len(last) <= 160 and (re.match(r"(?i)table\b", last) or unit_note(last)[0]):
                it.caption = last
    # Paragraph breaks between text items that touch a table: tables are their own blocks.
    return items
