"""HTML pages: the main text as blocks, data tables as Markdown rows (colspan, rowspan, caption, thead)."""

from __future__ import annotations

import html as html_lib
import re

from ingest.readers.common import Limits, ReaderResult, clean, collapse, decode, looks_binary, short
from ingest.tables import TableHint, render_table
from reportqa.errors import BadInput

_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "svg",
    "nav", "header", "footer", "form", "head",
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    "p div li h1 h2 h3 h4 h5 h6 tr br section article blockquote pre td th "
    "table ul ol dl dt dd figure figcaption main aside address hr caption details summary".split()
)
_HEADING_LEVEL = {f"h{i}": i for i in range(1, 7)}
_MAX_CELL_CHARS = 500


def read_html(data: bytes, limits: Limits | None = None) -> ReaderResult:
    """An .html page: headings, paragraphs, list items and data tables; scripts and page chrome dropped."""
    limits = limits or Limits()
    markup, warnings = _decode_html(data)
    hints: list[TableHint] = []
    try:
        text, title = _html_to_text(markup, hints, limits, warnings)
    except RecursionError:
        text, title = _html_to_text_regex(markup)
        hints = []
        warnings.append("HTML is too deeply nested; used a simplified text extraction")
    except BadInput:
        raise
    except Exception as exc:  # a parser bug must not take the whole ingest down
        text, title = _html_to_text_regex(markup)
        hints = []
        warnings.append(f"HTML parser failed ({short(exc)}); used a simplified text extraction")
    text = clean(text)
    if not text.strip():
        raise BadInput("file has no text")
    return ReaderResult(text, title, None, None, warnings, hints)


def _decode_html(data: bytes) -> tuple[str, list[str]]:
    """Decode HTML, honouring a declared <meta charset> when the bytes are not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return decode(data)
    if looks_binary(data):
        raise BadInput("looks like a binary file, not text")
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    # Older pages are often windows-1252 or similar and say so in a <meta> tag.
    try:
        from bs4 import UnicodeDammit

        dammit = UnicodeDammit(data, is_html=True)
        if dammit.unicode_markup is not None:
            warnings = ["invalid UTF-8 bytes replaced"] if dammit.contains_replacement_characters else []
            return dammit.unicode_markup, warnings
    except Exception:
        pass
    return data.decode("utf-8", errors="replace"), ["invalid UTF-8 bytes replaced"]


def _make_soup(markup: str):
    from bs4 import BeautifulSoup

    try:
        return BeautifulSoup(markup, "lxml")
    except Exception:  # lxml missing or choking: the stdlib parser is slower but always there
        return BeautifulSoup(markup, "html.parser")


def _html_to_text(markup: str, hints: list[TableHint] | None = None, limits: Limits | None = None,
                  warnings: list[str] | None = None) -> tuple[str, str | None]:
    """Structured text from HTML: one block per paragraph-like element."""
    from bs4.element import NavigableString, PreformattedString, Tag

    soup = _make_soup(markup)
    title = None
    if soup.title is not None:
        title = collapse(soup.title.get_text(" "))
    if not title:
        h1 = soup.find("h1")
        title = collapse(h1.get_text(" ")) if h1 is not None else None

    for tag in soup.find_all(_DROP_TAGS):
        if tag.decomposed:  # already gone with a dropped ancestor
            continue
        # An <article>'s own <header> usually holds its heading and date, which are
        # content; only page-level headers and footers are chrome.
        if tag.name in ("header", "footer") and tag.find_parent(("article", "main")) is not None:
            continue
        tag.decompose()

    blocks: list[str] = []
    buf: list[str] = []
    prefix = [""]  # pending marker ("# ", "- ") for the next non-empty block
    pre_depth = 0
    list_counters: list[int | None] = []  # None for <ul>, a running number for <ol>

    def flush() -> None:
        raw = "".join(buf)
        buf.clear()
        if pre_depth:
            lines = (collapse(line) for line in raw.split("\n"))
            text = "\n".join(line for line in lines if line)
        else:
            text = collapse(raw)
        if text:
            blocks.append(prefix[0] + text)
            prefix[0] = ""

    # An explicit stack instead of recursion: real-world HTML nests thousands deep.
    stack: list[tuple[object, bool]] = [(soup, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                buf.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if leaving:
            if name in _BLOCK_TAGS or name in _HEADING_LEVEL:
                flush()
            if name in _HEADING_LEVEL or name == "li":
                prefix[0] = ""  # an empty heading or item must not mark the next paragraph
            if name == "pre":
                pre_depth -= 1
            elif name in ("ul", "ol"):
                list_counters.pop()
            continue

        if name == "table":
            table = _html_table(node, limits or Limits(), warnings if warnings is not None else [])
            if table is not None and table[1]:
                flush()
                caption, rows = table
                if caption:
                    blocks.append(caption)
                blocks.append("\n".join(rows))
                if hints is not None:
                    hints.append(TableHint(first_line=rows[0], caption=caption))
                continue  # rows already emitted; don't walk the cells again
        if name in _BLOCK_TAGS or name in _HEADING_LEVEL:
            flush()
        if name in _HEADING_LEVEL:
            prefix[0] = "#" * _HEADING_LEVEL[name] + " "
        elif name == "li":
            if list_counters and list_counters[-1] is not None:
                list_counters[-1] += 1
                prefix[0] = f"{list_counters[-1]}. "
            else:
                prefix[0] = "- "
        elif name == "ul":
            list_counters.append(None)
        elif name == "ol":
            list_counters.append(0)
        elif name == "pre":
            pre_depth += 1
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return "\n\n".join(blocks), title


def _html_table(table, limits: Limits, warnings: list[str]) -> tuple[str | None, list[str]] | None:
    """Markdown rows for a data table, or None for a layout table that should be read as prose.

    Cells spanning columns or rows keep their text in their first position and leave the
    rest blank, so each text is stored once; rows of <th> cells (or in <thead>) are headers.
    """
    grid: list[list[str]] = []
    head_flags: list[bool] = []
    taken: dict[int, set[int]] = {}  # row -> columns covered by a span from a row above
    trs = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    if len(trs) > limits.max_table_rows:
        warnings.append(f"a table of {len(trs):,} rows was cut to {limits.max_table_rows:,} (REPORTQA_MAX_TABLE_ROWS)")
        trs = trs[: limits.max_table_rows]
    # Spans are clamped to the table (rows left, columns allowed) and their area counts
    # against the cell limit, so a few cells spanning 100 x 100 cannot build a huge grid.
    used = 0
    cut_cols = full = False
    for ri, tr in enumerate(trs):
        row: list[str] = []
        ci = 0
        cells = tr.find_all(("td", "th"), recursive=False)
        if len(cells) > limits.max_table_cols:
            cells, cut_cols = cells[: limits.max_table_cols], True
        for cell in cells:
            while ci in taken.get(ri, ()):
                row.append("")
                ci += 1
            if ci >= limits.max_table_cols:
                cut_cols = True
                break
            span_c = min(_span(cell.get("colspan")), limits.max_table_cols - ci)
            span_r = min(_span(cell.get("rowspan")), len(trs) - ri)
            used += span_r * span_c
            if used > limits.max_table_cells:
                full = True
                break
            row.append(collapse(cell.get_text(" "))[: limits.max_cell_chars])
            row.extend([""] * (span_c - 1))
            for dr in range(span_r):
                taken.setdefault(ri + dr, set()).update(range(ci, ci + span_c))
            ci += span_c
        if full:
            warnings.append(f"a table was cut to {len(grid):,} rows: its cells and spans pass "
                            f"{limits.max_table_cells:,} (REPORTQA_MAX_TABLE_CELLS)")
            break
        while ci in taken.get(ri, ()):
            row.append("")
            ci += 1
        taken.pop(ri, None)  # this row is done: keep only the spans below it
        grid.append(row)
        ths = [c for c in cells if c.name == "th"]
        in_head = tr.find_parent("thead") is not None
        head_flags.append(in_head or (bool(ths) and len(ths) >= len(cells) - 1 and ri == len(head_flags)
                                      and all(h for h in head_flags)))
    if cut_cols:
        warnings.append(f"a table was cut to {limits.max_table_cols:,} columns (REPORTQA_MAX_TABLE_COLS)")
    keep = [i for i, r in enumerate(grid) if any(r)]
    grid = [grid[i] for i in keep]
    head_flags = [head_flags[i] for i in keep]
    width = max((len(r) for r in grid), default=0)
    # Layout tables (one column, nested tables, whole articles in a cell) read better as text.
    if width < 2 or table.find("table") is not None:
        return None
    if any(len(c) > _MAX_CELL_CHARS for r in grid for c in r):
        return None
    if width * len(grid) > limits.max_table_cells:
        keep_rows = max(1, limits.max_table_cells // width)
        warnings.append(f"a table of {width * len(grid):,} cells was cut to {keep_rows:,} rows (REPORTQA_MAX_TABLE_CELLS)")
        grid = grid[:keep_rows]
    n_head = 0
    while n_head < len(head_flags) and head_flags[n_head]:
        n_head += 1
    out = render_table(grid, max(1, n_head))
    caption_tag = table.find("caption")
    caption = collapse(caption_tag.get_text(" ")) if caption_tag is not None else None
    return caption or None, out


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 100))
    except (TypeError, ValueError):
        return 1


_RX_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_RX_DROP = re.compile(
    r"<(script|style|noscript|template|iframe|svg|head|nav|form)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_RX_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_RX_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_RX_BLOCK = re.compile(
    r"</?(?:p|div|li|h[1-6]|tr|br|section|article|blockquote|pre|td|th|table|ul|ol)\b[^>]*>",
    re.IGNORECASE,
)
_RX_TAG = re.compile(r"<[^>]*>")
_RX_BLANKS = re.compile(r"\n\s*\n")


def _html_to_text_regex(markup: str) -> tuple[str, str | None]:
    """Non-recursive fallback: strip tags with regexes. Loses headings and tables, keeps paragraphs."""

    def strip(fragment: str) -> str:
        return collapse(html_lib.unescape(_RX_TAG.sub(" ", fragment)))

    m = _RX_TITLE.search(markup) or _RX_H1.search(markup)
    title = strip(m.group(1)) if m else None
    s = _RX_COMMENT.sub(" ", markup)
    s = _RX_DROP.sub(" ", s)
    s = _RX_BLOCK.sub("\n\n", s)
    s = _RX_TAG.sub(" ", s)
    # Unescape last, so "&lt;script&gt;" written as text survives as literal text.
    s = html_lib.unescape(s)
    blocks = (collapse(b) for b in _RX_BLANKS.split(s))
    return "\n\n".join(b for b in blocks if b), title


