"""From a path to a document ready to store: which files, their content id, text and sentences.

One place for this, used by the ingestor and by the doctor when it re-reads a lost
document from its source file.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from reportqa.errors import BadInput, UnsupportedFile
from reportqa.models import Sentence
from reportqa.settings import Settings
from reportqa.store import StoredDocument

from ingest.frames import add_frames
from ingest.readers import SUPPORTED, read_document
from ingest.sentences import split_sentences
from ingest.walk import expand_paths, kind_of, safe_name

_SENTENCE_ENDS = re.compile(r"[.!?](?=\s)")
_TEXT_LINES = re.compile(r"^[ \t]*\S", re.MULTILINE)

__all__ = ["content_id", "context_of", "expand_paths", "prepare_document", "read_checked", "safe_name"]


def content_id(data: bytes) -> str:
    """Documents are identified by their content, so a renamed copy is recognised."""
    return hashlib.sha256(data).hexdigest()[:16]


def read_checked(path: Path, settings: Settings) -> bytes:
    """The file's bytes, or UnsupportedFile / BadInput when its type, kind or size is not accepted.

    Opened without blocking and checked to be a regular file before anything is read: a
    named pipe given as a file must not hang the writer (which holds the store's lock).
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED or suffix not in settings.allowed_extensions:
        raise UnsupportedFile(f"unsupported file type '{suffix or safe_name(path.name)}' "
                              f"(supported: {', '.join(SUPPORTED)})")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsupportedFile(f"{kind_of(st.st_mode)}, not a regular file")
        if st.st_size > settings.max_file_bytes:
            raise BadInput(f"file is {st.st_size / 1048576:.1f} MB, over the {settings.max_file_mb:g} MB limit "
                           "(REPORTQA_MAX_FILE_MB)")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as f:
            # One byte past the limit at most: a file growing while read cannot pass it.
            data = f.read(settings.max_file_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > settings.max_file_bytes:
        raise BadInput(f"file grew past the {settings.max_file_mb:g} MB limit while being read (REPORTQA_MAX_FILE_MB)")
    return data


def prepare_document(path: Path, settings: Settings, data: bytes | None = None) -> StoredDocument:
    """Read and split one file into the document and sentences the store keeps.

    `data` is the file's content when the caller already read it (to compute its id).
    Raises a ReportQAError subclass for a file that cannot be used, OSError when it
    cannot be read.
    """
    path = Path(path)
    if data is None:
        data = read_checked(path, settings)
    doc_id = content_id(data)
    document = read_document(path, data, doc_id, settings)
    # A name that is not valid UTF-8 is stored escaped (JSON and Chroma refuse lone surrogates).
    document.source = safe_name(path.resolve())
    document.stem = safe_name(document.stem)
    document.title = safe_name(document.title)
    limit = settings.max_document_sentences
    # Refused before splitting when even a rough count (sentence ends, line breaks) is far
    # over the limit: splitting and parsing such a text would take many minutes for nothing.
    rough = max(len(_SENTENCE_ENDS.findall(document.text)), len(_TEXT_LINES.findall(document.text)))
    if rough > 2 * limit:
        raise BadInput(f"about {rough:,} sentences, over the limit of {limit:,} per document "
                       "(REPORTQA_MAX_DOCUMENT_SENTENCES); split the file")
    sentences = split_sentences(doc_id, document.text, document.page_starts, settings.long_sentence_words,
                                document.tables, document.line_boxes)
    if not sentences:
        raise BadInput("no sentences found in the file")
    if len(sentences) > limit:
        raise BadInput(f"{len(sentences):,} sentences, over the limit of {limit:,} per document "
                       "(REPORTQA_MAX_DOCUMENT_SENTENCES); split the file")
    if settings.parse_frames:
        add_frames(sentences)
    return StoredDocument(document=document, sentences=sentences)


def context_of(sentences: list[Sentence], i: int, window: int) -> str:
    """The sentence with `window` neighbours on each side: the paragraph shown around a citation."""
    lo, hi = max(0, i - window), min(len(sentences), i + window + 1)
    return " ".join(s.text for s in sentences[lo:hi])
