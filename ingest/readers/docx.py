"""Word (.docx) files: paragraphs (headings, list items) and tables in document order, merged cells once."""

from __future__ import annotations

import io
import re

from ingest.readers.common import MAX_TITLE, Limits, ReaderResult, cap_rows, clean, collapse, short
from ingest.tables import TableHint, render_table
from reportqa.errors import BadInput


def read_docx(data: bytes, limits: Limits | None = None) -> ReaderResult:
    """A .docx file: its body in order; a table's header rows are its repeated-header rows (or the first)."""
    limits = limits or Limits()
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - python-docx is a declared dependency
        raise BadInput(f"DOCX support is not installed ({exc})") from None

    try:
        document = docx.Document(io.BytesIO(data))
        items = list(document.iter_inner_content())
    except Exception as exc:
        raise BadInput(f"DOCX could not be read: {short(exc)}") from None

    warnings: list[str] = []
    blocks: list[str] = []
    hints: list[TableHint] = []
    first_paragraph = None
    last_paragraph = None
    for item in items:
        if isinstance(item, Paragraph):
            block = _docx_paragraph(item)
            if block:
                blocks.append(block)
                last_paragraph = block
                if first_paragraph is None:
                    first_paragraph = collapse(block.lstrip("#-").strip())
        elif isinstance(item, Table):
            try:
                rows = _docx_table(item, limits, warnings)
            except Exception as exc:  # malformed merges make python-docx raise mid-table
                warnings.append(f"a table could not be read ({short(exc)})")
                continue
            if rows:
                blocks.append("\n".join(rows))
                caption = last_paragraph if last_paragraph and len(last_paragraph) <= 160 else None
                hints.append(TableHint(first_line=rows[0], caption=caption))
            last_paragraph = None

    text = clean("\n\n".join(blocks))
    title = None
    try:
        title = document.core_properties.title
    except Exception:
        pass
    if not (title and title.strip()) and first_paragraph and len(first_paragraph) <= MAX_TITLE:
        title = first_paragraph
    return ReaderResult(text, title, None, None, warnings, hints)


_DOCX_HEADING = re.compile(r"^heading\s*(\d)?", re.IGNORECASE)


def _docx_paragraph(p) -> str:
    """One paragraph as a block: headings as "# ..." and list paragraphs as "- ..." lines."""
    # A manual line break inside a paragraph is kept, but never as a blank line,
    # which would split the paragraph in two.
    text = "\n".join(line.strip() for line in p.text.split("\n") if line.strip())
    if not text:
        return ""
    style_name, style_id = "", ""
    try:
        if p.style is not None:
            style_name, style_id = p.style.name or "", p.style.style_id or ""
    except Exception:
        pass
    m = _DOCX_HEADING.match(style_name) or _DOCX_HEADING.match(style_id)
    if m or style_name == "Title":
        level = min(int(m.group(1)), 6) if m and m.group(1) else 1
        return "#" * level + " " + collapse(text)
    is_list = style_name.startswith("List")
    try:
        ppr = p._p.pPr
        is_list = is_list or (ppr is not None and ppr.numPr is not None)
    except Exception:
        pass
    if is_list and not re.match(r"[-*•\d]", text):
        return "- " + text
    return text


def _docx_table(table, limits: Limits, warnings: list[str]) -> list[str]:
    """Markdown rows of a Word table; a merged cell's text is written in its first position only."""
    rows: list[list[str]] = []
    header_rows = 0
    seen: set = set()  # the cells' XML elements (kept alive here, so identity is stable)
    for ri, row in enumerate(table.rows):
        if ri >= limits.max_table_rows:
            warnings.append(f"a table was cut to {limits.max_table_rows:,} rows (REPORTQA_MAX_TABLE_ROWS)")
            break
        cells = []
        for cell in row.cells:
            key = cell._tc
            # python-docx repeats a merged cell in every grid position it covers.
            cells.append("" if key in seen else cell.text)
            seen.add(key)
        rows.append(cells)
        try:
            if ri == header_rows and row._tr.trPr is not None and row._tr.trPr.xpath("./w:tblHeader"):
                header_rows += 1
        except Exception:
            pass
    return render_table(cap_rows(rows, limits, "a Word table", warnings), max(1, header_rows))
