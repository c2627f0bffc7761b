"""PDF reports: text in reading order with page offsets and line boxes; tables as Markdown rows.

pypdf checks the file (signature, encryption, pages). pdfplumber reads every page's words
with their positions and font sizes (`pdf_words`), and the page's paragraphs and tables
are laid out from them (`pdf_layout`). Running headers, footers and page numbers are left
out of the text. A table whose next page starts with the same header, or whose caption
there says "(continued)", or which goes on with rows as wide and no header of its own, is
stored as one table. A paragraph cut by a page break goes on across it.

Bounded cost: a page whose content stream is huge (a 5 MB line of text) is not laid out
character by character; its text is read plainly by pypdf, with a warning. The line finder
for ruled tables only runs on pages that have ruling lines.
"""

from __future__ import annotations

import io
import re

from ingest.readers.common import Limits, ReaderResult, clean, collapse, first_line, short
from ingest.readers.pdf_columns import reading_order
from ingest.readers.pdf_layout import PageItem, page_items
from ingest.readers.pdf_words import Line, make_lines, page_words, running_lines
from ingest.tables import TableHint, clean_cell, render_table
from reportqa.errors import BadInput

MAX_LAYOUT_CONTENT = 3_000_000  # bytes of a page's content stream laid out word by word
MAX_RULED_CHARS = 60_000        # characters on a page searched for ruled tables
_SEP_LINE = re.compile(r"\|(?:---\|)+")
_ENDS_SENTENCE = re.compile(r"[.!?:;\"”’)\]]\s*$")


class _Page:
    def __init__(self) -> None:
        self.text = ""
        self.boxes: list[list[float]] = []  # [start, end, x0, top, x1, bottom], offsets in the page text
        self.items: list[PageItem] = []
        self.plain = False


def read_pdf(data: bytes, limits: Limits | None = None) -> ReaderResult:
    """A .pdf file: one text with page starts and line boxes; tables as Markdown rows with their page and box."""
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

    pages = [_Page() for _ in page_objs]
    big = _huge_pages(page_objs, warnings)
    failed = _layout(data, pages, big, warnings)
    first_error: Exception | None = None
    for number, page in enumerate(page_objs, start=1):
        pg = pages[number - 1]
        if pg.items or not (number in big or number in failed):
            continue
        try:  # the plain reading: pypdf's text, no tables, no boxes
            pg.text = clean(page.extract_text() or "").strip()
            pg.plain = True
            failed.discard(number)
        except Exception as exc:  # one broken page should not cost the rest of the report
            first_error = first_error or exc
    hints: list[TableHint] = []
    joins = ["\n\n"] * len(pages)
    _render(pages, joins, hints, limits, warnings)
    texts = [pg.text for pg in pages]
    if failed and len(failed) == len(pages):
        raise BadInput(f"PDF could not be read: {short(first_error) if first_error else 'no page could be laid out'}")
    if not any(texts):
        raise BadInput("PDF has no extractable text (scanned?)")
    if failed:
        warnings.append(f"text of page(s) {', '.join(map(str, sorted(failed)))} could not be extracted")
    scanned = [n for n, (t, p) in enumerate(zip(texts, page_objs), start=1) if not t and n not in failed and _has_images(p)]
    for n in scanned[:20]:
        warnings.append(f"page {n} has no text layer (scanned; OCR is not available)")
    empty = sum(1 for t in texts if not t) - len(failed) - len(scanned)
    if empty > 0:
        warnings.append(f"{empty} of {len(texts)} pages have no extractable text")

    page_starts: list[int] = []
    parts: list[str] = []
    boxes: list[list[float]] = []
    pos = 0
    for i, pg in enumerate(pages):
        if i:
            parts.append(joins[i])
            pos += len(joins[i])
        page_starts.append(pos)
        parts.append(pg.text)
        boxes.extend([b[0] + pos, b[1] + pos, i + 1, *b[2:]] for b in pg.boxes)
        pos += len(pg.text)
    text = "".join(parts)

    title = None
    try:
        meta = reader.metadata
        title = _pdf_meta_title(meta.title if meta is not None else None)
    except Exception:  # broken metadata is common and never worth failing over
        pass
    return ReaderResult(text, title or first_line(text), len(page_objs), page_starts, warnings, hints, boxes)


def _huge_pages(page_objs, warnings: list[str]) -> set[int]:
    """Pages whose content stream is too big to lay out character by character."""
    out = set()
    for number, page in enumerate(page_objs, start=1):
        try:
            contents = page.get_contents()
            size = len(contents.get_data()) if contents is not None else 0
        except Exception:
            continue
        if size > MAX_LAYOUT_CONTENT:
            out.add(number)
            warnings.append(f"page {number} holds {size / 1e6:.1f} MB of drawing instructions: its text is read "
                            "without layout or tables")
    return out


def _has_images(page) -> bool:
    try:
        return bool(page.images)
    except Exception:
        return False


def _layout(data: bytes, pages: list[_Page], skip: set[int], warnings: list[str]) -> set[int]:
    """Lay out every page with pdfplumber; the numbers of the pages that could not be."""
    failed: set[int] = set()
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - pdfplumber is a declared dependency
        return set(range(1, len(pages) + 1))
    all_lines: list[list[Line]] = []
    heights: list[float] = []
    widths: list[float] = []
    ruled: list[list] = []
    try:
        with pdfplumber.open(io.BytesIO(data), password="") as pdf:
            for number, page in enumerate(pdf.pages[: len(pages)], start=1):
                lines: list[Line] = []
                tables: list = []
                if number not in skip:
                    try:
                        lines = make_lines(page_words(page))
                        if lines and _ruled_page(page):
                            tables = page.find_tables()
                    except Exception as exc:  # a page whose layout cannot be read is read plainly
                        warnings.append(f"layout of page {number} could not be read ({short(exc)})")
                        failed.add(number)
                        lines, tables = [], []
                all_lines.append(lines)
                ruled.append(tables)
                heights.append(float(page.height or 792))
                widths.append(float(page.width or 612))
                page.flush_cache()
    except Exception as exc:
        warnings.append(f"PDF layout could not be read ({short(exc)})")
        return set(range(1, len(pages) + 1))
    drops = running_lines(all_lines, heights)
    for i, (lines, drop, tables) in enumerate(zip(all_lines, drops, ruled)):
        kept = [ln for k, ln in enumerate(lines) if k not in drop]
        if kept:
            pages[i].items = page_items(reading_order(kept, widths[i]), tables)
    return failed


def _ruled_page(page) -> bool:
    """Whether the page has ruling lines worth the table finder, and is small enough for it."""
    try:
        edges = len(page.lines) + len(page.rects)
        return edges >= 2 and len(page.chars) <= MAX_RULED_CHARS
    except Exception:
        return False


def _render(pages: list[_Page], joins: list[str], hints: list[TableHint], limits: Limits,
            warnings: list[str]) -> None:
    """Write each page's text and line boxes, joining tables and paragraphs across page breaks."""
    open_table: PageItem | None = None
    open_hint: TableHint | None = None
    for number, pg in enumerate(pages, start=1):
        if pg.plain or not pg.items:
            open_table = open_hint = None
            continue
        out: list[str] = []
        pos = 0

        def put(s: str, box: list[float] | None, sep: str) -> None:
            nonlocal pos
            if out:
                out.append(sep)
                pos += len(sep)
            if box:
                pg.boxes.append([pos, pos + len(s), *box])
            out.append(s)
            pos += len(s)

        # A table going on from the page before, under at most a repeated caption line
        # ("Table 5 (Cont.)"): the caption is left out so the rows join the table above.
        cont_at = -1
        if open_table is not None and open_hint is not None:
            k0 = next((k for k, it in enumerate(pg.items) if it.kind == "table"), None)
            if k0 is not None and k0 <= 1 and all(len(it.lines) <= 2 for it in pg.items[:k0]) \
                    and _continues(open_table, pg.items[k0]):
                cont_at = k0
        for k, it in enumerate(pg.items):
            if k < cont_at:
                continue
            if it.kind == "text":
                prev = pg.items[k - 1] if k else None
                # A sentence cut where one column ends and the next begins goes on.
                goes_on = (prev is not None and prev.kind == "text" and not _ENDS_SENTENCE.search(prev.lines[-1].text)
                           and it.lines[0].text[:1].islower())
                for m, ln in enumerate(it.lines):
                    put(clean(ln.text).strip(), ln.box, "\n" if m or goes_on else "\n\n")
                continue
            keep = [r for r in range(len(it.rows)) if any(clean_cell(c) for c in it.rows[r])]
            rows = [it.rows[r] for r in keep]
            cboxes = [it.cell_boxes[r] if r < len(it.cell_boxes) else [] for r in keep]
            levels = [it.levels[r] if r < len(it.levels) else 0 for r in keep]
            n_head = sum(1 for r in keep if r < it.header_rows)
            if len(rows) > limits.max_table_rows:
                warnings.append(f"a table on page {number} was cut to {limits.max_table_rows:,} rows "
                                "(REPORTQA_MAX_TABLE_ROWS)")
                rows, cboxes = rows[: limits.max_table_rows], cboxes[: limits.max_table_rows]
            if not rows:
                continue
            continued = k == cont_at
            if continued:
                cut = n_head
                if n_head == 0 and open_table.header_rows and _same_row(rows[0], open_table.rows[0]):
                    cut = 1
                rows, cboxes, levels = rows[cut:], cboxes[cut:], levels[cut:]
                lines = render_table(rows, 0, levels, width=open_table.width, continued=True)
                open_hint.cell_boxes.extend(cboxes)
                joins[number - 1] = "\n"  # no blank line: the rows stay one table block
            else:
                lines = render_table(rows, n_head or 1, levels, width=it.width)
                if lines:
                    open_hint = TableHint(first_line=lines[0], caption=it.caption, page=number, bbox=it.bbox,
                                          column_paths=it.column_paths if n_head else None,
                                          cell_boxes=list(cboxes))
                    hints.append(open_hint)
            ri = 0
            for m, line in enumerate(lines):
                if _SEP_LINE.fullmatch(line):
                    put(line, None, "\n")
                    continue
                put(line, _union_boxes(cboxes[ri]) if ri < len(cboxes) else None, "\n\n" if m == 0 else "\n")
                ri += 1
        pg.text = "".join(out)
        last = pg.items[-1]
        open_table = last if last.kind == "table" else None
        if open_table is None:
            open_hint = None
    # A paragraph cut by the page break goes on: no blank line between its parts.
    for i in range(1, len(pages)):
        prev, cur = pages[i - 1], pages[i]
        if joins[i] != "\n\n" or not prev.items or not cur.items:
            continue
        if prev.items[-1].kind == "text" and cur.items[0].kind == "text":
            tail = prev.items[-1].lines[-1].text
            head = cur.items[0].lines[0].text
            if not _ENDS_SENTENCE.search(tail) and head[:1].islower():
                joins[i] = "\n"


def _continues(prev: PageItem, cur: PageItem) -> bool:
    """Whether a table at the top of a page goes on with the table that ended the page before."""
    if cur.continued:
        return True
    if cur.width != prev.width:
        return False
    if cur.header_rows == 0:
        return True
    return _same_row(cur.rows[0], prev.rows[0]) or (
        cur.column_paths is not None and cur.column_paths == prev.column_paths)


def _union_boxes(boxes) -> list[float] | None:
    bs = [b for b in boxes if b]
    if not bs:
        return None
    return [min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs)]


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
