"""What a file's bytes are, whatever its name says, and whether an office zip is safe to open.

A PDF renamed .txt must be read as a PDF (or refused saying so), not stored as sentences
of PDF syntax; a .docx is a zip archive, so its members are checked before python-docx
or openpyxl expands them: duplicate names (a second, smuggled word/document.xml that
one reader sees and another does not) and the total expanded size (a zip bomb).
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter

from reportqa.errors import BadInput

_PDF_MAGIC = b"%PDF-"
_PDF_HEAD = 1024  # the PDF header may follow junk within the first 1,024 bytes
_ZIP_MAGIC = b"PK\x03\x04"
_MB = 1024 * 1024
NAMES = {".pdf": "PDF", ".docx": "Word (.docx)", ".xlsx": "Excel (.xlsx)"}


def content_type(data: bytes) -> str | None:
    """'.pdf', '.docx' or '.xlsx' when the bytes are one of these; a MIME type for another
    binary format `filetype` (a kept library) recognises; None for text or unknown bytes."""
    if _PDF_MAGIC in data[:_PDF_HEAD]:
        return ".pdf"
    if data.startswith(_ZIP_MAGIC):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "application/zip"
        if "word/document.xml" in names:
            return ".docx"
        if "xl/workbook.xml" in names:
            return ".xlsx"
        return "application/zip"
    import filetype

    kind = filetype.guess(data[:8192])
    return kind.mime if kind is not None else None


def check_office_zip(data: bytes, suffix: str, max_unzipped: int, max_docx_xml: int) -> None:
    """Refuse (BadInput) a .docx/.xlsx whose members repeat a name or expand past the limits.

    The sizes are the ones the archive declares; Python's zipfile stops reading a member at
    its declared size (and fails its CRC check), so a lying header cannot expand further.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a readable zip: the reader says so in its own words
    twice = [name for name, n in Counter(m.filename for m in members).items() if n > 1]
    if twice:
        raise BadInput(f"the {NAMES.get(suffix, 'zip')} file holds {len(twice)} name(s) twice (e.g. {twice[0]}); "
                       "refused: a reader could see a smuggled part")
    total = sum(m.file_size for m in members)
    if total > max_unzipped:
        raise BadInput(f"the file expands to {total / _MB:,.0f} MB, over the {max_unzipped / _MB:g} MB limit "
                       "(REPORTQA_MAX_UNZIPPED_MB)")
    if suffix == ".docx":
        xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
        if xml > max_docx_xml:
            raise BadInput(f"the document holds {xml / _MB:,.1f} MB of XML, over the {max_docx_xml / _MB:g} MB "
                           "limit (REPORTQA_MAX_DOCX_XML_MB)")
