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
import re
from collections.abc import Callable
from pathlib import Path

from reportqa.errors import BadInput, UnsupportedFile
from reportqa.models import Document
from reportqa.settings import FILE_TYPES as SUPPORTED  # the one list of readable types

from ingest.readers_office import read_docx as _read_docx, read_pdf as _read_pdf
from ingest.text_utils import CONTROL_CHARS as _CONTROL_CHARS, SPACES as _SPACES
from ingest.text_utils import ReaderResult as _ReaderResult
from ingest.text_utils import clean as _clean, collapse as _collapse, first_line as _first_line, short as _short

_SNIFF_BYTES = 8192
_BINARY_CONTROL_RATIO = 0.30

# Bytes that ordinary text files contain below 0x20: tab, LF, CR, form feed, backspace, ESC.
_TEXT_CONTROL_BYTES = frozenset(b"\t\n\r\f\b\x1b")
_MD_H1 = re.compile(r"^[ ]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


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


# --------------------------------------------------------------------------- helpers


_READERS: dict[str, Callable[[bytes], _ReaderResult]] = {
    ".txt": _read_plain,
    ".md": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}
