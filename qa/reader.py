"""Read-only view of the store for answering: manifest, sentences and BM25, reloaded when a
writer commits a new generation (no restart needed, never a half-ingested document)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tenacity import RetryError, retry, retry_if_exception_type, stop_after_attempt, wait_fixed

from reportqa.bm25 import LexicalIndex
from reportqa.errors import StoreError
from reportqa.models import Document, DocumentInfo, Sentence
from reportqa.settings import Settings
from reportqa.store import Manifest, Store


@dataclass
class Snapshot:
    """Everything visible at one generation. Replaced whole, so a query sees one consistent state."""

    manifest: Manifest
    lexical: LexicalIndex
    sentences: dict[str, Sentence] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    doc_sentences: dict[str, list[Sentence]] = field(default_factory=dict)
    doc_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)

    def info(self, doc_id: str) -> DocumentInfo:
        return self.manifest.documents[doc_id]


def reopened(store: Store) -> Store:
    """The same store on a freshly opened embedded Chroma (a Chroma server needs nothing).

    Embedded Chroma caches its index per process and never notices vectors another process
    (`reportqa ingest` beside a running server) added: queries then miss the new sentences
    or fail with "Error finding id". Dropping the cached System makes the next client load
    the folder afresh; clients still holding the old System (a query in flight) keep it.
    """
    if store.settings.chroma_url:
        return store
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(store.settings.chroma_dir), None)
    return Store(store.settings)


class StoreReader:
    """Holds the current Snapshot and swaps in a new one when the manifest changes."""

    def __init__(self, settings: Settings, store: Store | None = None):
        self.settings = settings
        self.store = store or Store(settings)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._mtime = None

    def snapshot(self) -> Snapshot:
        """The current state; a stat() per call, a reload only after a commit."""
        mtime = self.store.manifest_mtime()
        if self._snapshot is not None and mtime == self._mtime:
            return self._snapshot
        with self._lock:
            if self._snapshot is None or mtime != self._mtime:
                snapshot, mtime = self._load()
                # Swap the store before publishing the snapshot, so no query pairs the
                # new snapshot with the old, stale Chroma.
                if self._snapshot is not None and self._snapshot.manifest.generation != snapshot.manifest.generation:
                    self.store = reopened(self.store)
                self._snapshot, self._mtime = snapshot, mtime
        return self._snapshot

    def _load(self) -> tuple[Snapshot, float]:
        try:
            return self._load_once()
        except RetryError as e:
            raise StoreError(f"could not load the store: {e.last_attempt.exception()}") from None

    # A writer may commit (and delete the old BM25 folder) while we read: read again.
    @retry(retry=retry_if_exception_type((OSError, StoreError, ValueError)), stop=stop_after_attempt(5),
           wait=wait_fixed(0.2))
    def _load_once(self) -> tuple[Snapshot, float]:
        mtime = self.store.manifest_mtime()
        manifest = self.store.read_manifest()
        return self._build(manifest, self._snapshot), mtime

    def _build(self, manifest: Manifest, previous: Snapshot | None) -> Snapshot:
        if manifest.bm25:
            lexical = LexicalIndex.load(self.store.bm25_dir(manifest.bm25))
        else:
            lexical = LexicalIndex.build([], [])
        snap = Snapshot(manifest=manifest, lexical=lexical)
        for doc_id in manifest.documents:
            if previous is not None and doc_id in previous.documents:
                snap.documents[doc_id] = previous.documents[doc_id]
                snap.doc_sentences[doc_id] = previous.doc_sentences[doc_id]
            else:
                stored = self.store.load_document(doc_id)
                snap.documents[doc_id] = stored.document
                snap.doc_sentences[doc_id] = stored.sentences
            for s in snap.doc_sentences[doc_id]:
                snap.sentences[s.node_id] = s
        for doc_id, sents in snap.doc_sentences.items():
            if sents:
                lo = lexical.position.get(sents[0].node_id)
                if lo is not None:
                    snap.doc_ranges[doc_id] = (lo, lo + len(sents))
        return snap
