"""Turn a report file's bytes into the plain text we store, plus a title and its tables.

The text produced here is the document text of record: sentence offsets, page
numbers, table cells and citations all index into it, so every reader returns one
string and never rewrites it afterwards. Structure that matters for answering
(paragraphs, headings, list items, tables) is expressed in a small Markdown-like form
the sentence splitter understands: blank lines between paragraphs, "# " headings,
"- " items and "| a | b |" table rows (see ingest.tables).

Every failure a person can fix (wrong file, encrypted PDF, binary data renamed to
.txt) becomes a `BadInput` with a short message; library exceptions never escape.
One module per family of formats: text, html, pdf, docx, sheets (csv, xlsx).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.readers.common import Limits, ReaderResult, clean_title
from ingest.readers.docx import read_docx
from ingest.readers.html import read_html
from ingest.readers.pdf import read_pdf
from ingest.readers.sheets import read_csv, read_xlsx
from ingest.readers.text import read_markdown, read_plain
from ingest.tables import find_tables
from reportqa.errors import BadInput, UnsupportedFile
from reportqa.models import Document
from reportqa.settings import FILE_TYPES

READERS: dict[str, Callable[[bytes, Limits], ReaderResult]] = {
    ".txt": read_plain,
    ".md": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".csv": read_csv,
    ".xlsx": read_xlsx,
}
SUPPORTED = FILE_TYPES  # the one list of readable types (reportqa.settings); READERS covers each


def read_document(path: Path, data: bytes, doc_id: str, settings=None) -> Document:
    """Read one report file (its name and bytes) into a `Document`, its tables included.

    The reader is chosen by the lower-cased suffix of `path`; the file itself is
    never opened, so callers can pass uploaded bytes. `settings` supplies the table
    size limits (defaults otherwise). Raises `UnsupportedFile` for other suffixes and
    `BadInput` for files that cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        supported = ", ".join(SUPPORTED)
        if not suffix:
            raise UnsupportedFile(f"file has no extension (supported: {supported})")
        raise UnsupportedFile(f"unsupported file type '{suffix}' (supported: {supported})")
    if not data:
        raise BadInput("file is empty")

    limits = Limits()
    if settings is not None:
        limits = Limits(max_table_rows=settings.max_table_rows, max_table_cells=settings.max_table_cells)
    result = ReaderResult(*reader(data, limits))
    text = result.text
    if not text.strip():
        raise BadInput("file has no text")
    return Document(
        doc_id=doc_id,
        title=clean_title(result.title) or path.stem,
        source=str(path),
        stem=path.stem,
        text=text,
        pages=result.pages,
        page_starts=result.page_starts,
        warnings=result.warnings,
        tables=find_tables(text, result.page_starts, result.hints),
        line_boxes=result.boxes or [],
    )
