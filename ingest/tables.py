"""Tables in the document text: rendering grids as Markdown rows, and reading them back as cells.

Every reader writes a table into the stored text as Markdown pipe rows, header rows
first and a `|---|` line after them, with a row header's nesting level as extra
leading spaces in its first cell. `find_tables` reads those rows back into `Table`s
whose `Cell`s point at exact spans of the text (`text[start:end] == cell.text`), so
a cited cell can be checked and highlighted like a sentence. Readers that know more
than the Markdown says (PDF page and box, HTML caption) pass it along as a `TableHint`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from reportqa.models import Cell, Table

TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_SPACES = re.compile(r"\s+")
_YEARISH = re.compile(r"^\W*(?:(?:FY|fiscal(?: year)?|year|19\d\d|20\d\d|Q[1-4]|H[12])\W*)+\W*$", re.I)
# "$(55,197)", "$ (3.5)" and "(66)%" too: the currency sign and percent may sit outside the parentheses.
_NUMBER = re.compile(r"(?:[$£€¥]\s*)?\(?\s*-?[$£€¥]?\s*\d[\d,]*(?:\.\d+)?\s*%?\s*\)?\s*%?")
_UNIT_NOTE = re.compile(
    r"(?:\bin\s+|\(\s*)?(?:(?:US|A|C|NZ|HK|S)?\$|£|€|¥|RMB|USD|EUR|GBP|dollars?)?\s*'?"
    r"\b(thousands?|millions?|billions?|mn|bn|'000s?|000s)\b"
    r"|(?:\bper\s*cent\b|\bpercentage\b|%)",
    re.I,
)
_SCALE_OF = {"thousand": "thousand", "thousands": "thousand", "'000": "thousand", "'000s": "thousand",
             "000s": "thousand", "million": "million", "millions": "million", "mn": "million",
             "billion": "billion", "billions": "billion", "bn": "billion"}
INDENT = "  "  # per nesting level, after the cell's usual one space


@dataclass
class TableHint:
    """What a reader knows about one table beyond its Markdown rows."""

    first_line: str
    caption: str | None = None
    page: int | None = None
    bbox: list[float] | None = None
    # PDF: each column's header path as laid out on the page (spanning heads included), and
    # each rendered row's cell boxes (x0, top, x1, bottom); rows of a continued table appended.
    column_paths: list[list[str]] | None = None
    cell_boxes: list[list[list[float] | None]] = field(default_factory=list)


def clean_cell(text: object) -> str:
    """A cell's text on one line, with pipes escaped so the row stays parseable."""
    return _SPACES.sub(" ", "" if text is None else str(text)).strip().replace("|", "\\|")


def render_table(rows: list[list[str]], header_rows: int = 1, levels: list[int] | None = None,
                 width: int | None = None, continued: bool = False) -> list[str]:
    """Markdown lines for a grid: ragged rows padded, empty rows dropped, a `|---|` after the headers.

    `levels[i]` is the nesting level of row i's header (0 = top level), written as leading spaces.
    `continued` rows go on a table begun earlier (a PDF table over pages): no separator line.
    """
    cleaned = []
    for i, r in enumerate(rows):
        cells = [clean_cell(c) for c in r]
        if any(cells):
            cleaned.append((cells, levels[i] if levels and i < len(levels) else 0, i < header_rows))
    if not cleaned:
        return []
    width = max([len(c) for c, _, _ in cleaned] + [width or 0])
    heads = -1 if continued else max(1, sum(1 for _, _, h in cleaned if h))
    out = []
    for i, (cells, level, _) in enumerate(cleaned):
        cells = cells + [""] * (width - len(cells))
        if level and cells[0]:
            cells[0] = INDENT * level + cells[0]
        out.append("| " + " | ".join(cells) + " |")
        if i == heads - 1:
            out.append("|" + "---|" * width)
    return out


def _raw_cells(line: str, line_start: int) -> list[tuple[int, int]]:
    """Spans (absolute) of the raw cells of one row, between unescaped pipes."""
    spans = []
    i = line.find("|")
    if i == -1:
        return [(line_start, line_start + len(line))]
    start = i + 1
    j = start
    while j < len(line):
        if line[j] == "\\" and j + 1 < len(line) and line[j + 1] == "|":
            j += 2
            continue
        if line[j] == "|":
            spans.append((line_start + start, line_start + j))
            start = j + 1
        j += 1
    if line[start:].strip():  # a row without a closing pipe
        spans.append((line_start + start, line_start + len(line)))
    return spans


def parse_number(text: str) -> float | None:
    """The number a cell states ("$ 1,997.8", "(12.5)", "4.2%"), or None for text and dashes."""
    t = text.strip().replace("\u2212", "-")
    m = _NUMBER.fullmatch(t) or _NUMBER.fullmatch(re.sub(r"\s*\*+$|\s*\(\w\)$", "", t))
    if not m:
        return None
    raw = m.group(0)
    neg = "(" in raw and ")" in raw or "-" in raw
    digits = re.sub(r"[^\d.]", "", raw)
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if neg else value


def unit_note(text: str) -> tuple[str | None, str]:
    """The unit note in a caption or header ("in thousands", "$ million", "%") and its scale."""
    if not text:
        return None, ""
    m = _UNIT_NOTE.search(text)
    if not m:
        return None, ""
    word = (m.group(1) or "").lower()
    if word:
        return m.group(0).strip(" ("), _SCALE_OF.get(word, "")
    return m.group(0).strip(), "percent"


# In running text a unit note is only a note when it says so ("(in thousands, except ...)",
# "$ in millions", "expressed in US$ million"); a bare "$69.9 million" is a figure.
_PROSE_NOTE = re.compile(
    r"\((?:\s*(?:amounts|dollars|figures)\s+)?(?:in|\$\s*in)\s+[^)]{0,12}?\b(thousands?|millions?|billions?)\b"
    r"|\b(?:in|expressed in|stated in|amounts? in)\s+(?:US\s*)?(?:\$|£|€|dollars?\s+)?\s*(thousands|millions|billions)\b",
    re.I,
)


def prose_unit_note(text: str) -> tuple[str | None, str]:
    """The last unit note written in prose before a table ("(in thousands, except percentages)")."""
    found = None
    for m in _PROSE_NOTE.finditer(text):
        found = m
    if found is None:
        return None, ""
    word = (found.group(1) or found.group(2)).lower()
    return found.group(0).strip(" ("), _SCALE_OF.get(word, "")


_YEAR_IN = re.compile(r"(?<![\d,.$])(?:19|20)\d\d(?![\d,]|\.\d)")


_FISCAL_SHORT = re.compile(r"^\W*(?:FY|F)\s*'?\d\d\W*$", re.I)  # "FY19", "F18", "FY18**"
_MONTH_DAY = re.compile(
    r"^\W*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*\d{0,2}\s*,?\W*$", re.I)
# A figure fills the whole cell: "$ 1,234", "(3.1)", "12.5%", "−184", "27,633*".
_FIGURE = re.compile(r"^[\s$£€¥(−–-]*\d[\d,]*(?:\.\d+)?\s*%?\s*\)?\s*%?\W*$")


def _period_cell(c: str) -> bool:
    """A column header naming a period: "2019", "June 30, 2019", "2018/2019", "2019 vs. 2018",
    "2018 1" (a footnote digit glued on), "FY19", "September 30,". Besides its years it holds at
    most a day or a footnote (one or two digits), and no currency or percent sign (a figure is
    never a header)."""
    if _FISCAL_SHORT.match(c) or _MONTH_DAY.match(c):
        return True
    if not _YEAR_IN.search(c) or re.search(r"[$£€¥%]", c):
        return False
    return all(len(d) <= 2 for d in re.findall(r"\d+", _YEAR_IN.sub(" ", c)))


def _header_like(cells: list[str]) -> bool:
    """A row under the first header row that still labels columns: years, periods, units.

    Words beside a period ("% Change" next to "2018" and "2017") label columns too; a row of
    words alone with a label of its own is data ("Country | Capital" tables)."""
    rest = [c.strip() for c in cells[1:] if c.strip()]
    if not rest:
        return False
    periods = any(_YEARISH.match(c) or _period_cell(c) for c in rest)
    for c in rest:
        if _YEARISH.match(c) or _period_cell(c) or (unit_note(c)[0] and parse_number(c) is None):
            continue
        if _FIGURE.match(c):
            return False  # a figure: the data has begun
        if cells[0].strip() and not periods:
            return False
    return True


@dataclass
class _Row:
    start: int
    end: int
    cells: list[tuple[int, int]] = field(default_factory=list)


def table_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of consecutive Markdown table lines."""
    blocks = []
    pos, start, end = 0, None, None
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        le = n if nl == -1 else nl
        line = text[pos:le]
        if TABLE_LINE.match(line) or (start is not None and TABLE_SEP.match(line)):
            if start is None:
                start = pos
            end = le
        elif start is not None:
            blocks.append((start, end))
            start = None
        if nl == -1:
            break
        pos = le + 1
    if start is not None:
        blocks.append((start, end))
    return blocks


def _preceding_text(text: str, start: int, limit: int = 3000) -> str:
    """The paragraph(s) just above a table, where captions and unit notes sit."""
    return text[max(0, start - limit):start]


def parse_table(text: str, start: int, end: int, index: int, page_starts: list[int] | None = None,
                hint: TableHint | None = None) -> Table | None:
    """The Table of the Markdown rows in text[start:end], or None when there are no rows."""
    rows: list[_Row] = []
    sep_after = None
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        le = end if nl == -1 else nl
        line = text[pos:le]
        if TABLE_SEP.match(line):
            if sep_after is None:
                sep_after = len(rows)
        elif line.strip():
            rows.append(_Row(pos, le, _raw_cells(line, pos)))
        pos = le + 1
    if not rows:
        return None

    def cell_text(span: tuple[int, int]) -> str:
        return text[span[0]:span[1]]

    n_head = sep_after if sep_after else 1
    laid_out = hint is not None and hint.column_paths is not None
    while not laid_out and n_head < len(rows) - 1 and _header_like([cell_text(c) for c in rows[n_head].cells]):
        n_head += 1
    width = max(len(r.cells) for r in rows)
    header_rows = [[cell_text(c).strip() for c in r.cells] + [""] * (width - len(r.cells)) for r in rows[:n_head]]
    # Column paths top-down; a spanning upper header ("December 31," over two years) is carried right.
    col_paths: list[list[str]] = [[] for _ in range(width)]
    for level, hr in enumerate(header_rows):
        carry = ""
        for ci in range(width):
            h = hr[ci]
            if h:
                carry = h
            elif level < len(header_rows) - 1 and ci > 0:
                h = carry
            if h and ci > 0:
                col_paths[ci].append(h)
            elif h and ci == 0:
                col_paths[0].append(h)
    if laid_out and len(hint.column_paths) == width:
        col_paths = [list(p) for p in hint.column_paths]
    caption = hint.caption if hint and hint.caption else None
    unit, scale = None, ""
    for src in [caption or ""] + [" ".join(hr) for hr in header_rows]:
        unit, scale = unit_note(src)
        if unit and scale != "percent":
            break
        unit, scale = None, ""
    if not unit:
        # The table may continue an earlier one with no text between ("in thousands" stated once above both).
        before = _preceding_text(text, start)
        unit, scale = prose_unit_note(before)

    def page_of(offset: int) -> int | None:
        if hint and hint.page is not None and not page_starts:
            return hint.page
        return bisect.bisect_right(page_starts, offset) if page_starts else None

    table = Table(index=index, start=rows[0].start, end=rows[-1].end, caption=caption, unit=unit,
                  scale=scale, page=page_of(rows[0].start), bbox=hint.bbox if hint else None,
                  header_rows=header_rows, n_rows=len(rows), n_columns=width)
    # Rows above that the next rows sit under: (level, label, is_section). A section row
    # ("Assets not allocated:", no values) heads the rows after it at its own level; a data
    # row heads only the more indented rows under it ("of whom women").
    parents: list[tuple[int, str, bool]] = []
    for ri, row in enumerate(rows):
        is_head = ri < n_head
        spans = row.cells
        label_raw = cell_text(spans[0]) if spans else ""
        label = label_raw.strip()
        row_path: list[str] = []
        if not is_head:
            indent = len(label_raw) - len(label_raw.lstrip(" "))
            level = max(0, (indent - 1) // len(INDENT)) if label else 0
            section = bool(label) and not any(cell_text(c).strip() for c in spans[1:])
            parents = [p for p in parents if (p[0] < level) or (p[2] and p[0] == level and not section)]
            row_path = [p[1] for p in parents] + ([label] if label else [])
            if label:
                parents.append((level, label, section))
        for ci, span in enumerate(spans):
            s, e = span
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e <= s:
                continue
            raw = text[s:e]
            value = None if is_head else parse_number(raw)
            cpath = col_paths[ci] if ci < width else []
            cell_scale = scale
            if value is not None and ("%" in raw or any("%" in h for h in cpath) or "%" in label):
                cell_scale = "percent"
            else:
                for h in cpath:
                    u, sc = unit_note(h)
                    if u and sc and sc != "percent":
                        cell_scale = sc
            box = None
            if hint is not None and ri < len(hint.cell_boxes) and ci < len(hint.cell_boxes[ri]):
                box = hint.cell_boxes[ri][ci]
            table.cells.append(Cell(
                text=raw, start=s, end=e, row=ri, column=ci, table=index, page=page_of(s), bbox=box,
                row_path=list(row_path), column_path=list(cpath), header=is_head or ci == 0,
                value=value, scale=cell_scale if value is not None else "",
            ))
    return table


def find_tables(text: str, page_starts: list[int] | None = None, hints: list[TableHint] | None = None) -> list[Table]:
    """Every Markdown table of the text, in order, with exact cell spans."""
    tables: list[Table] = []
    pending = list(hints or [])
    for start, end in table_blocks(text):
        first = text[start:text.find("\n", start, end) if "\n" in text[start:end] else end].strip()
        hint = None
        for k, h in enumerate(pending):
            if h.first_line.strip() == first:
                hint = h
                del pending[: k + 1]
                break
        t = parse_table(text, start, end, len(tables), page_starts, hint)
        if t is not None:
            tables.append(t)
    return tables
