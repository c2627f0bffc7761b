"""From a path to a document ready to store: which files, their content id, text and sentences.

One place for this, used by the ingestor and by the doctor when it re-reads a lost
document from its source file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from reportqa.errors import BadInput, UnsupportedFile
from reportqa.models import IngestResult, Sentence
from reportqa.settings import Settings
from reportqa.store import StoredDocument

from ingest.frames import add_frames
from ingest.readers import SUPPORTED, read_document
from ingest.sentences import split_sentences


def content_id(data: bytes) -> str:
    """Documents are identified by their content, so a renamed copy is recognised."""
    return hashlib.sha256(data).hexdigest()[:16]


def expand_paths(paths: Iterable[Path]) -> list[tuple[Path, IngestResult | None]]:
    """Files under the given paths (folders recursively, hidden files skipped), or why not."""
    out: list[tuple[Path, IngestResult | None]] = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            out.append((p, IngestResult(path=str(p), status="failed", reason="path does not exist")))
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    out.append((f, None))
        else:
            out.append((p, None))
    return out


def read_checked(path: Path, settings: Settings) -> bytes:
    """The file's bytes, or UnsupportedFile / BadInput when its type or size is not accepted."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED or suffix not in settings.allowed_extensions:
        raise UnsupportedFile(f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED)})")
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        raise BadInput(
            f"file is {size / 1048576:.1f} MB, over the {settings.max_file_mb:g} MB limit (REPORTQA_MAX_FILE_MB)"
        )
    return path.read_bytes()


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
    document.source = str(path.resolve())
    sentences = split_sentences(doc_id, document.text, document.page_starts, settings.long_sentence_words,
                                document.tables, document.line_boxes)
    if not sentences:
        raise BadInput("no sentences found in the file")
    if settings.parse_frames:
        add_frames(sentences)
    return StoredDocument(document=document, sentences=sentences)


def context_of(sentences: list[Sentence], i: int, window: int) -> str:
    """The sentence with `window` neighbours on each side: the paragraph shown around a citation."""
    lo, hi = max(0, i - window), min(len(sentences), i + window + 1)
    return " ".join(s.text for s in sentences[lo:hi])
