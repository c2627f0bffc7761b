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

from ingest.readers.common import Limits, ReaderResult, break_long_lines, clean_title
from ingest.readers.pipes import cap_pipe_tables
from ingest.readers.sniff import NAMES, check_office_zip, content_type
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
# Types written as text: another format's bytes under these names are read as that format.
_TEXT_TYPES = (".txt", ".md", ".html", ".htm", ".csv")
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

    limits = Limits.from_settings(settings)
    warnings: list[str] = []
    kind = content_type(data)
    if kind in READERS and READERS[kind] is not reader:
        # The bytes decide: a PDF named .txt is read as the PDF it is.
        warnings.append(f"named {suffix} but the content is {NAMES[kind]}; read as {NAMES[kind]}")
        reader, suffix = READERS[kind], kind
    elif kind is not None and kind not in READERS and not (kind == "application/zip" and suffix in (".docx", ".xlsx")):
        # (a zip named .docx that holds no document: its reader says what is missing)
        if suffix in _TEXT_TYPES:
            raise BadInput(f"looks like a binary file, not text (the content is {kind})")
        raise BadInput(f"named {suffix} but the content is {kind}, not a {NAMES[suffix]} file")
    if suffix in (".docx", ".xlsx"):
        check_office_zip(data, suffix, limits.max_unzipped_bytes, limits.max_docx_xml_bytes)
    result = ReaderResult(*reader(data, limits))
    warnings.extend(result.warnings)
    text = result.text
    if result.page_starts is None:  # page offsets index into a PDF's text: its reader bounds its lines
        text = break_long_lines(text, limits.max_line_chars, warnings)
    if suffix in (".txt", ".md"):  # the other readers bound the tables they write
        text = cap_pipe_tables(text, limits, warnings)
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
        warnings=warnings,
        tables=find_tables(text, result.page_starts, result.hints),
        line_boxes=result.boxes or [],
    )
