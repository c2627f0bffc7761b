"""Turn a report file's bytes into the plain text we store, plus a title.

The text produced here is the document text of record: sentence offsets, page
numbers and citations all index into it, so every reader returns one string and
never rewrites it afterwards. Structure that matters for answering (paragraphs,
headings, list items, table rows) is expressed in a small Markdown-like form the
sentence splitter understands: blank lines between paragraphs, "# " headings,
"- " items and "| a | b |" table rows.

Every failure a person can fix (wrong file, encrypted PDF, binary data renamed to
.txt) becomes a `BadInput` with a short message; library exceptions never escape.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from collections.abc import Callable
from pathlib import Path

from reportqa.errors import BadInput, UnsupportedFile
from reportqa.models import Document
from reportqa.settings import FILE_TYPES as SUPPORTED  # the one list of readable types

_MAX_TITLE = 150
_SNIFF_BYTES = 8192
_BINARY_CONTROL_RATIO = 0.30

# C0 controls except \t and \n (and \r, which is normalised away before this runs), plus DEL.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Bytes that ordinary text files contain below 0x20: tab, LF, CR, form feed, backspace, ESC.
_TEXT_CONTROL_BYTES = frozenset(b"\t\n\r\f\b\x1b")
_MD_H1 = re.compile(r"^[ ]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SPACES = re.compile(r"\s+")


def read_document(path: Path, data: bytes, doc_id: str) -> Document:
    """Read one report file (its name and bytes) into a `Document`.

    The reader is chosen by the lower-cased suffix of `path`; the file itself is
    never opened, so callers can pass uploaded bytes. Raises `UnsupportedFile`
    for other suffixes and `BadInput` for files that cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        supported = ", ".join(SUPPORTED)
        if not suffix:
            raise UnsupportedFile(f"file has no extension (supported: {supported})")
        raise UnsupportedFile(f"unsupported file type '{suffix}' (supported: {supported})")
    if not data:
        raise BadInput("file is empty")

    text, title, pages, page_starts, warnings = reader(data)
    if not text.strip():
        raise BadInput("file has no text")
    return Document(
        doc_id=doc_id,
        title=_clean_title(title) or path.stem,
        source=str(path),
        stem=path.stem,
        text=text,
        pages=pages,
        page_starts=page_starts,
        warnings=warnings,
    )


# A reader returns (text, title or None, page count, page starts, warnings).
_ReaderResult = tuple[str, str | None, int | None, list[int] | None, list[str]]


# --------------------------------------------------------------------------- text


def _looks_binary(data: bytes) -> bool:
    """True for data that is almost certainly not a text file (same idea as git and grep)."""
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if (b < 0x20 and b not in _TEXT_CONTROL_BYTES) or b == 0x7F)
    return controls > _BINARY_CONTROL_RATIO * len(sample)


def _decode(data: bytes) -> tuple[str, list[str]]:
    """Bytes of a text file to str, refusing binary data and flagging bad UTF-8."""
    # A UTF-16 file (Windows "Unicode" export) is full of NUL bytes, so it must be
    # recognised by its BOM before the binary sniffing would reject it.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise BadInput("looks like a binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), ["invalid UTF-8 bytes replaced"]


def _clean(text: str) -> str:
    """Normalise line endings and blank out control characters (offsets stay stable after this)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    # Replaced by a space rather than deleted so that words on either side stay apart.
    return _CONTROL_CHARS.sub(" ", text)


def _first_line(text: str) -> str | None:
    """The first non-empty line, if it is short enough to be a title."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line if len(line) <= _MAX_TITLE else None
    return None


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = _SPACES.sub(" ", _CONTROL_CHARS.sub(" ", title)).strip()
    return title or None


def _read_plain(data: bytes) -> _ReaderResult:
    text, warnings = _decode(data)
    text = _clean(text)
    if not text.strip():
        raise BadInput("file has no text")
    return text, _first_line(text), None, None, warnings


def _read_markdown(data: bytes) -> _ReaderResult:
    text, warnings = _decode(data)
    text = _clean(text)
    if not text.strip():
        raise BadInput("file has no text")
    m = _MD_H1.search(text)
    return text, (m.group(1) if m else None), None, None, warnings


# --------------------------------------------------------------------------- HTML

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


def _read_html(data: bytes) -> _ReaderResult:
    markup, warnings = _decode_html(data)
    try:
        text, title = _html_to_text(markup)
    except RecursionError:
        text, title = _html_to_text_regex(markup)
        warnings.append("HTML is too deeply nested; used a simplified text extraction")
    except BadInput:
        raise
    except Exception as exc:  # a parser bug must not take the whole ingest down
        text, title = _html_to_text_regex(markup)
        warnings.append(f"HTML parser failed ({_short(exc)}); used a simplified text extraction")
    text = _clean(text)
    if not text.strip():
        raise BadInput("file has no text")
    return text, title, None, None, warnings


def _decode_html(data: bytes) -> tuple[str, list[str]]:
    """Decode HTML, honouring a declared <meta charset> when the bytes are not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data)
    if _looks_binary(data):
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


def _html_to_text(markup: str) -> tuple[str, str | None]:
    """Structured text from HTML: one block per paragraph-like element."""
    from bs4.element import NavigableString, PreformattedString, Tag

    soup = _make_soup(markup)
    title = None
    if soup.title is not None:
        title = _collapse(soup.title.get_text(" "))
    if not title:
        h1 = soup.find("h1")
        title = _collapse(h1.get_text(" ")) if h1 is not None else None

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
            lines = (_collapse(line) for line in raw.split("\n"))
            text = "\n".join(line for line in lines if line)
        else:
            text = _collapse(raw)
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
            table = _html_table(node)
            if table is not None:
                flush()
                caption, rows = table
                if caption:
                    blocks.append(caption)
                blocks.append("\n".join(rows))
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


def _html_table(table) -> tuple[str | None, list[str]] | None:
    """Markdown rows for a data table, or None for a layout table that should be read as prose."""
    rows: list[list[str]] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:  # belongs to a nested table
            continue
        cells = tr.find_all(("td", "th"), recursive=False)
        rows.append([_collapse(c.get_text(" ")) for c in cells])
    rows = [r for r in rows if any(r)]
    width = max((len(r) for r in rows), default=0)
    # Layout tables (one column, nested tables, whole articles in a cell) read better as text.
    if width < 2 or table.find("table") is not None:
        return None
    if any(len(c) > _MAX_CELL_CHARS for r in rows for c in r):
        return None
    out = []
    for i, r in enumerate(rows):
        r = r + [""] * (width - len(r))
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
        if i == 0:
            out.append("|" + "---|" * width)
    caption_tag = table.find("caption")
    caption = _collapse(caption_tag.get_text(" ")) if caption_tag is not None else None
    return caption or None, out


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
        return _collapse(html_lib.unescape(_RX_TAG.sub(" ", fragment)))

    m = _RX_TITLE.search(markup) or _RX_H1.search(markup)
    title = strip(m.group(1)) if m else None
    s = _RX_COMMENT.sub(" ", markup)
    s = _RX_DROP.sub(" ", s)
    s = _RX_BLOCK.sub("\n\n", s)
    s = _RX_TAG.sub(" ", s)
    # Unescape last, so "&lt;script&gt;" written as text survives as literal text.
    s = html_lib.unescape(s)
    blocks = (_collapse(b) for b in _RX_BLANKS.split(s))
    return "\n\n".join(b for b in blocks if b), title


def _collapse(s: str) -> str:
    return _SPACES.sub(" ", s).strip()


# --------------------------------------------------------------------------- PDF


def _read_pdf(data: bytes) -> _ReaderResult:
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


def _read_docx(data: bytes) -> _ReaderResult:
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


# --------------------------------------------------------------------------- helpers


def _short(exc: BaseException | None) -> str:
    """A one-line, bounded description of a library exception for a person to read."""
    if exc is None:
        return "unknown error"
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    msg = msg or type(exc).__name__
    return msg if len(msg) <= 200 else msg[:197] + "..."


_READERS: dict[str, Callable[[bytes], _ReaderResult]] = {
    ".txt": _read_plain,
    ".md": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}
