"""Read-only view of the store for answering: manifest, sentences and BM25, reloaded when a
writer commits a new generation (no restart needed, never a half-ingested document).

With a Chroma server the store keeps no BM25 index: each reader builds its own from the
document records at start, and on a new generation tokenizes only the documents it has
not seen (bm25s indexes the whole corpus again; its scoring needs global statistics).
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

from tenacity import RetryError, retry, retry_if_exception_type, stop_after_attempt, wait_fixed

from reportqa.bm25 import LexicalIndex, tokenize
from reportqa.errors import StoreError
from reportqa.models import Document, DocumentInfo, Sentence
from reportqa.settings import Settings
from reportqa.store import Manifest, Store
from reportqa.years import find_years


@dataclass
class Snapshot:
    """Everything visible at one generation. Replaced whole, so a query sees one consistent state."""

    manifest: Manifest
    lexical: LexicalIndex
    sentences: dict[str, Sentence] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    doc_sentences: dict[str, list[Sentence]] = field(default_factory=dict)
    doc_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    doc_tokens: dict[str, list[list[str]]] = field(default_factory=dict)  # only when built here
    scorer: dict[str, float] | None = None  # weights of the figure chooser (None: the hand-set ones)
    headings: dict[str, list[int]] = field(default_factory=dict)  # per document, filled on first use

    def dated_heading(self, sentence: Sentence) -> Sentence | None:
        """The heading right above a sentence's section when it names one year ("## Edition
        2025", "## Results for the first half of 2024"): the period of what is under it. An
        undated section heading ("## Cases and suspects") gives none, even under a dated title."""
        doc = self.doc_sentences.get(sentence.doc_id, [])
        if sentence.doc_id not in self.headings:
            self.headings[sentence.doc_id] = [i for i, s in enumerate(doc) if s.kind == "heading"]
        headings = self.headings[sentence.doc_id]
        k = bisect.bisect_left(headings, sentence.index, key=lambda i: doc[i].index)
        if k == 0:
            return None
        heading = doc[headings[k - 1]]
        return heading if len({y for y, _, _ in find_years(heading.text)}) == 1 else None

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
    """Holds the current Snapshot and swaps in a new one when the store's version changes."""

    def __init__(self, settings: Settings, store: Store | None = None, scorer: dict[str, float] | None = None):
        self.settings = settings
        self.store = store or Store(settings)
        self.scorer = scorer
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._version = None

    def snapshot(self) -> Snapshot:
        """The current state; a cheap version check per call, a reload only after a commit."""
        version = self.store.version()
        if self._snapshot is not None and version == self._version:
            return self._snapshot
        with self._lock:
            if self._snapshot is None or version != self._version:
                snapshot, version = self._load()
                # Swap the store before publishing the snapshot, so no query pairs the
                # new snapshot with the old, stale Chroma.
                if self._snapshot is not None and self._snapshot.manifest.generation != snapshot.manifest.generation:
                    self.store = reopened(self.store)
                self._snapshot, self._version = snapshot, version
        return self._snapshot

    def _load(self) -> tuple[Snapshot, object]:
        try:
            return self._load_once()
        except RetryError as e:
            raise StoreError(f"could not load the store: {e.last_attempt.exception()}") from None

    # A writer may commit (and delete the old BM25 folder or manifest) while we read: read again.
    @retry(retry=retry_if_exception_type((OSError, StoreError, ValueError)), stop=stop_after_attempt(5),
           wait=wait_fixed(0.2))
    def _load_once(self) -> tuple[Snapshot, object]:
        version = self.store.version()
        manifest = self.store.read_manifest()
        return self._build(manifest, self._snapshot), version

    def _build(self, manifest: Manifest, previous: Snapshot | None) -> Snapshot:
        lexical = self.store.load_lexical(manifest)
        snap = Snapshot(manifest=manifest, lexical=lexical or LexicalIndex.build([], []), scorer=self.scorer)
        kept = [d for d in manifest.documents if previous is not None and d in previous.documents]
        for doc_id in kept:
            snap.documents[doc_id] = previous.documents[doc_id]
            snap.doc_sentences[doc_id] = previous.doc_sentences[doc_id]
        fresh = [d for d in manifest.documents if d not in snap.documents]
        if fresh:
            for doc_id, stored in self.store.load_documents(fresh).items():
                snap.documents[doc_id] = stored.document
                snap.doc_sentences[doc_id] = stored.sentences
        for doc_id in manifest.documents:
            for s in snap.doc_sentences[doc_id]:
                snap.sentences[s.node_id] = s
        if lexical is None:
            snap.lexical = self._build_lexical(snap, previous)
        for doc_id, sents in snap.doc_sentences.items():
            if sents:
                lo = snap.lexical.position.get(sents[0].node_id)
                if lo is not None:
                    snap.doc_ranges[doc_id] = (lo, lo + len(sents))
        return snap

    @staticmethod
    def _build_lexical(snap: Snapshot, previous: Snapshot | None) -> LexicalIndex:
        """BM25 over the snapshot's sentences, in manifest order, reusing the tokens of known documents."""
        ids: list[str] = []
        corpus: list[list[str]] = []
        for doc_id in sorted(snap.manifest.documents):
            tokens = previous.doc_tokens.get(doc_id) if previous is not None else None
            if tokens is None:
                tokens = [tokenize(s.search_text) for s in snap.doc_sentences[doc_id]]
            snap.doc_tokens[doc_id] = tokens
            ids.extend(s.node_id for s in snap.doc_sentences[doc_id])
            corpus.extend(tokens)
        return LexicalIndex.from_tokens(ids, corpus)
