"""PDF reports: text per page (page offsets kept) and tables as Markdown rows.

pypdf checks the file (signature, encryption, pages) and reads pages without tables, as it
always has. pdfplumber finds tables: ruled ones from their lines, and whitespace-aligned
ones from the gaps between words (`ingest.readers.pdf_layout`). On a page with tables the
text around them is rebuilt from pdfplumber's words in reading order. A table whose next
page starts with the same header row continues there: it is stored as one table.
"""

from __future__ import annotations

import io

from ingest.readers.common import Limits, ReaderResult, clean, collapse, first_line, short
from ingest.readers.pdf_layout import PageItem, page_items
from ingest.tables import TableHint, clean_cell, render_table
from reportqa.errors import BadInput


def read_pdf(data: bytes, limits: Limits | None = None) -> ReaderResult:
    """A .pdf file: one text with page starts; tables as Markdown rows with their page and box."""
    limits = limits or Limits()
    try:
        from pypdf import PasswordType, PdfReader
    except ImportError as exc:  # pragma: no cover - pypdf is a declared dependency
        raise BadInput(f"PDF support is not installed ({exc})") from None

    warnings: list[str] = []
    if b"%PDF-" not in data[:1024]:
        # pypdf's own complaint for a renamed file is cryptic ("Stream has ended unexpectedly").
        raise BadInput("PDF could not be read: the file does not start like a PDF")
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as exc:
        raise BadInput(f"PDF could not be read: {short(exc)}") from None

    if reader.is_encrypted:
        # Many PDFs are "encrypted" with an empty user password just to set permissions.
        try:
            ok = reader.decrypt("") != PasswordType.NOT_DECRYPTED
        except Exception as exc:  # e.g. AES without the 'cryptography' package
            raise BadInput(f"PDF is encrypted ({short(exc)})") from None
        if not ok:
            raise BadInput("PDF is encrypted")

    try:
        page_objs = list(reader.pages)
    except Exception as exc:
        raise BadInput(f"PDF could not be read: {short(exc)}") from None
    if not page_objs:
        raise BadInput("PDF has no pages")

    layouts = _table_layouts(data, len(page_objs), warnings)
    texts: list[str] = []
    failed: list[int] = []
    first_error: Exception | None = None
    for number, page in enumerate(page_objs, start=1):
        if layouts.get(number):
            texts.append("")  # filled in below, from the layout
            continue
        try:
            texts.append(clean(page.extract_text() or "").strip())
        except Exception as exc:  # one broken page should not cost the rest of the report
            texts.append("")
            failed.append(number)
            first_error = first_error or exc
    hints: list[TableHint] = []
    joins = ["\n\n"] * len(texts)
    _render_layouts(layouts, texts, joins, hints, limits, warnings)
    if len(failed) == len(page_objs):
        raise BadInput(f"PDF could not be read: {short(first_error)}")
    if not any(texts):
        raise BadInput("PDF has no extractable text (scanned?)")
    if failed:
        warnings.append(f"text of page(s) {', '.join(map(str, failed))} could not be extracted")
    empty = sum(1 for t in texts if not t) - len(failed)
    if empty:
        warnings.append(f"{empty} of {len(texts)} pages have no extractable text (scanned?)")

    page_starts: list[int] = []
    parts: list[str] = []
    pos = 0
    for i, t in enumerate(texts):
        if i:
            parts.append(joins[i])
            pos += len(joins[i])
        page_starts.append(pos)
        parts.append(t)
        pos += len(t)
    text = "".join(parts)

    title = None
    try:
        meta = reader.metadata
        title = _pdf_meta_title(meta.title if meta is not None else None)
    except Exception:  # broken metadata is common and never worth failing over
        pass
    return ReaderResult(text, title or first_line(text), len(page_objs), page_starts, warnings, hints)


def _table_layouts(data: bytes, n_pages: int, warnings: list[str]) -> dict[int, list[PageItem]]:
    """Page number -> its items in reading order, for the pages that hold a table."""
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - pdfplumber is a declared dependency
        return {}
    out: dict[int, list[PageItem]] = {}
    try:
        with pdfplumber.open(io.BytesIO(data), password="") as pdf:
            for number, page in enumerate(pdf.pages[:n_pages], start=1):
                try:
                    items = page_items(page)
                except Exception as exc:  # a page whose layout cannot be read keeps pypdf's text
                    warnings.append(f"tables of page {number} could not be read ({short(exc)})")
                    continue
                if any(it.kind == "table" for it in items):
                    out[number] = items
    except Exception as exc:
        warnings.append(f"PDF tables could not be read ({short(exc)})")
        return {}
    return out


def _render_layouts(layouts: dict[int, list[PageItem]], texts: list[str], joins: list[str],
                    hints: list[TableHint], limits: Limits, warnings: list[str]) -> None:
    """Write the text of each page with tables, joining a table continued from the page before."""
    open_table: PageItem | None = None  # the last item of the previous page, when it is a table
    for number in range(1, len(texts) + 1):
        items = layouts.get(number)
        if not items:
            open_table = None
            continue
        blocks: list[str] = []
        for k, it in enumerate(items):
            if it.kind == "text":
                blocks.append(clean(it.text).strip())
                continue
            rows = it.rows
            if len(rows) > limits.max_table_rows:
                warnings.append(f"a table on page {number} was cut to {limits.max_table_rows:,} rows "
                                "(REPORTQA_MAX_TABLE_ROWS)")
                rows = rows[: limits.max_table_rows]
            continued = (k == 0 and open_table is not None and open_table.width == it.width
                         and _same_row(rows[0], open_table.rows[0]))
            if continued:
                body = rows[it.header_rows:] if it.header_rows else rows[1:]
                lines = render_table(body, 0, it.levels[len(rows) - len(body):], width=it.width, continued=True)
                joins[number - 1] = "\n"  # no blank line: the rows stay one table block
            else:
                lines = render_table(rows, it.header_rows, it.levels, width=it.width)
                if lines:
                    hints.append(TableHint(first_line=lines[0], caption=it.caption, page=number, bbox=it.bbox))
            if lines:
                blocks.append("\n".join(lines))
        texts[number - 1] = "\n\n".join(b for b in blocks if b)
        open_table = items[-1] if items[-1].kind == "table" else None


def _same_row(a: list[str], b: list[str]) -> bool:
    return [clean_cell(x).lower() for x in a] == [clean_cell(x).lower() for x in b]


def _pdf_meta_title(title: object) -> str | None:
    """A metadata title worth showing; word processors often store placeholders."""
    if not isinstance(title, str):
        return None
    title = collapse(title).removeprefix("Microsoft Word - ").strip()
    if title.lower() in ("", "untitled", "title", "document"):
        return None
    return title
