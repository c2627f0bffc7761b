"""PDF (pypdf, with page offsets) and DOCX (python-docx, tables as rows) readers."""

from __future__ import annotations

import io
import re

from reportqa.errors import BadInput

from ingest.text_utils import MAX_TITLE as _MAX_TITLE, ReaderResult as _ReaderResult
from ingest.text_utils import clean as _clean, collapse as _collapse, first_line as _first_line, short as _short


# --------------------------------------------------------------------------- PDF


def read_pdf(data: bytes) -> _ReaderResult:
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
        raise BadInput(f"PDF could not be read: {_short(exc)}") from None

    if reader.is_encrypted:
        # Many PDFs are "encrypted" with an empty user password just to set permissions.
        try:
            ok = reader.decrypt("") != PasswordType.NOT_DECRYPTED
        except Exception as exc:  # e.g. AES without the 'cryptography' package
            raise BadInput(f"PDF is encrypted ({_short(exc)})") from None
        if not ok:
            raise BadInput("PDF is encrypted")

    try:
        page_objs = list(reader.pages)
    except Exception as exc:
        raise BadInput(f"PDF could not be read: {_short(exc)}") from None
    if not page_objs:
        raise BadInput("PDF has no pages")

    texts: list[str] = []
    failed: list[int] = []
    first_error: Exception | None = None
    for number, page in enumerate(page_objs, start=1):
        try:
            texts.append(_clean(page.extract_text() or "").strip())
        except Exception as exc:  # one broken page should not cost the rest of the report
            texts.append("")
            failed.append(number)
            first_error = first_error or exc
    if len(failed) == len(page_objs):
        raise BadInput(f"PDF could not be read: {_short(first_error)}")
    if not any(texts):
        raise BadInput("PDF has no extractable text (scanned?)")
    if failed:
        warnings.append(f"text of page(s) {', '.join(map(str, failed))} could not be extracted")
    empty = sum(1 for t in texts if not t) - len(failed)
    if empty:
        warnings.append(f"{empty} of {len(texts)} pages have no extractable text (scanned?)")

    page_starts: list[int] = []
    pos = 0
    for t in texts:
        page_starts.append(pos)
        pos += len(t) + 2  # the "\n\n" that joins pages
    text = "\n\n".join(texts)

    title = None
    try:
        meta = reader.metadata
        title = _pdf_meta_title(meta.title if meta is not None else None)
    except Exception:  # broken metadata is common and never worth failing over
        pass
    return text, title or _first_line(text), len(page_objs), page_starts, warnings


def _pdf_meta_title(title: object) -> str | None:
    """A metadata title worth showing; word processors often store placeholders."""
    if not isinstance(title, str):
        return None
    title = _collapse(title).removeprefix("Microsoft Word - ").strip()
    if title.lower() in ("", "untitled", "title", "document"):
        return None
    return title


# --------------------------------------------------------------------------- DOCX


def read_docx(data: bytes) -> _ReaderResult:
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
        raise BadInput(f"DOCX could not be read: {_short(exc)}") from None

    warnings: list[str] = []
    blocks: list[str] = []
    first_paragraph = None
    for item in items:
        if isinstance(item, Paragraph):
            block = _docx_paragraph(item)
            if block:
                blocks.append(block)
                if first_paragraph is None:
                    first_paragraph = _collapse(block.lstrip("#-").strip())
        elif isinstance(item, Table):
            try:
                rows = _docx_table(item)
            except Exception as exc:  # malformed merges make python-docx raise mid-table
                warnings.append(f"a table could not be read ({_short(exc)})")
                continue
            if rows:
                blocks.append("\n".join(rows))

    text = _clean("\n\n".join(blocks))
    title = None
    try:
        title = document.core_properties.title
    except Exception:
        pass
    if not (title and title.strip()) and first_paragraph and len(first_paragraph) <= _MAX_TITLE:
        title = first_paragraph
    return text, title, None, None, warnings


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
        return "#" * level + " " + _collapse(text)
    is_list = style_name.startswith("List")
    try:
        ppr = p._p.pPr
        is_list = is_list or (ppr is not None and ppr.numPr is not None)
    except Exception:
        pass
    if is_list and not re.match(r"[-*•\d]", text):
        return "- " + text
    return text


def _docx_table(table) -> list[str]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells = [_collapse(cell.text).replace("|", "\\|") for cell in row.cells]
        if any(cells):
            rows.append(cells)
    if not rows:
        return []
    width = max(len(r) for r in rows)
    out = []
    for i, r in enumerate(rows):
        r = r + [""] * (width - len(r))
        out.append("| " + " | ".join(r) + " |")
        if i == 0:
            out.append("|" + "---|" * width)
    return out
