"""The store: one facade over where its records live, plus its Chroma vector collection.

Two kinds of records, chosen by the settings (callers never branch on the mode):

- embedded (default, `reportqa/store_local.py`): manifest.json, docs/<id>.json, bm25-<gen>/
  and writer.lock in the data directory, vectors in an embedded Chroma beside them;
- Chroma server (`REPORTQA_CHROMA_URL`, `reportqa/store_chroma.py`): manifest, document
  records, generation and writer lease in collections on the same server as the vectors,
  so any number of replicas with empty (or deleted) data directories share one store.

In both, a document is visible only once the committed manifest lists it.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

from reportqa.bm25 import LexicalIndex
from reportqa.errors import StoreError
from reportqa.manifest import Debris, Manifest, StoredDocument
from reportqa.models import Document, DocumentInfo, Sentence
from reportqa.settings import Settings
from reportqa.store_local import LocalRecords, atomic_write

__all__ = ["Debris", "Manifest", "Store", "StoredDocument", "atomic_write", "chroma_metadata"]


def chroma_metadata(doc: DocumentInfo | Document, s: Sentence, context: str) -> dict:
    """Flat metadata for Chroma. The report id is `report_id`: llama-index overwrites `doc_id`."""
    meta = {
        "report_id": s.doc_id,
        "title": doc.title,
        "source": doc.source,
        "stem": doc.stem,
        "paragraph": s.paragraph,
        "sentence": s.index,
        "start": s.start,
        "end": s.end,
        "kind": s.kind,
        "context": context,
    }
    if s.page is not None:
        meta["page"] = s.page
    return meta


class Store:
    """One store: its records (local or on a Chroma server) and its Chroma collection."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = Path(settings.data_dir)
        self._local = LocalRecords(self.root)
        self._vectors: str | None = None  # the collection named by the manifest last read or written
        self._opened: tuple[str, object] | None = None
        self._vector_store = None
        if settings.chroma_url:
            from reportqa.store_chroma import ChromaRecords

            self.records = ChromaRecords(self)
        else:
            self.records = self._local

    # ---- the local layout (embedded mode; empty paths on a Chroma server) ------------

    @property
    def manifest_path(self) -> Path:
        return self._local.manifest_path

    @property
    def docs_dir(self) -> Path:
        return self._local.docs_dir

    def doc_path(self, doc_id: str) -> Path:
        return self._local.doc_path(doc_id)

    def bm25_dir(self, name: str) -> Path:
        return self.root / name

    # ---- records -------------------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the store lives, for messages: the data dir, or the server and collection."""
        return self.records.location

    def exists(self) -> bool:
        """Whether anything was ever written (a check must not create a store)."""
        return self.records.exists()

    def version(self):
        """A cheap token that changes when a writer commits."""
        return self.records.version()

    def read_manifest(self) -> Manifest:
        """The committed state; an empty manifest for a new store. Its vector collection
        becomes this Store's `collection`."""
        manifest = self.records.read_manifest()
        self._vectors = manifest.vectors or self.settings.collection
        return manifest

    def write_manifest(self, manifest: Manifest) -> None:
        """Commit `manifest`: readers see all of it from now on, or (before) none of it."""
        self.records.write_manifest(manifest)
        self._vectors = manifest.vectors or self.settings.collection

    def load_document(self, doc_id: str) -> StoredDocument:
        """A document's text and sentences (StoreError when its record is missing)."""
        return self.records.load_documents([doc_id])[doc_id]

    def load_documents(self, doc_ids: list[str]) -> dict[str, StoredDocument]:
        """Several documents by id, in as few requests as the records allow."""
        return self.records.load_documents(doc_ids)

    def inspect_document(self, doc_id: str) -> StoredDocument | str:
        """The document's record, or a short reason it cannot be used ('missing', 'damaged (...)')."""
        return self.records.inspect_document(doc_id)

    def save_document(self, stored: StoredDocument) -> None:
        self.records.save_documents([stored])

    def save_documents(self, docs: list[StoredDocument]) -> None:
        """Write document records (not visible until a manifest lists them)."""
        self.records.save_documents(docs)

    def delete_document(self, doc_id: str) -> None:
        self.records.delete_document(doc_id)

    def note_pending(self, doc_ids: set[str]) -> None:
        """Say which documents' vectors a writer is about to add or delete (for the sweep)."""
        self.records.note_pending(doc_ids)

    def debris(self, manifest: Manifest) -> list[Debris]:
        """What a killed writer left beside the committed state (only meaningful with no writer running)."""
        return self.records.debris(manifest)

    def leftover_pending(self, manifest: Manifest) -> set[str]:
        """Documents whose vectors a dead writer left uncommitted (a Chroma server's records)."""
        return self.records.leftover_pending(manifest)

    def clear_debris(self, manifest: Manifest, keep: set[str] = frozenset()) -> list[str]:
        """Delete what `debris` finds, except the vectors of the documents in `keep` (kept for
        an ingest that may write them again); returns what was done. Only the writer may call this."""
        return self.records.clear_debris(manifest, keep)

    # ---- the lexical index ---------------------------------------------------------

    @property
    def saves_lexical(self) -> bool:
        """Whether writers save BM25 with each generation (embedded) or readers build it (server)."""
        return self.records.saves_lexical

    def save_lexical(self, name: str, index: LexicalIndex) -> None:
        index.save(self.bm25_dir(name))

    def load_lexical(self, manifest: Manifest) -> LexicalIndex | None:
        """The saved BM25 index of this generation, or None when readers build their own."""
        if not self.saves_lexical:
            return None
        if not manifest.bm25:
            return LexicalIndex.build([], [])
        return LexicalIndex.load(self.bm25_dir(manifest.bm25))

    # ---- the writer lock -----------------------------------------------------------

    @contextmanager
    def writer(self):
        """Be the one writer (StoreBusy at once, naming the holder, when another one is)."""
        with self.records.writer():
            yield

    def writer_busy(self) -> bool:
        """Whether another writer is running (probed, never waited for)."""
        return self.records.writer_busy()

    def lease_holder(self):
        """On a Chroma server, the live writer lease (host, pid, since, expires); else None."""
        holder = getattr(self.records, "lease_holder", None)
        return holder() if holder else None

    # ---- vectors -------------------------------------------------------------------

    @cached_property
    def client(self):
        """A Chroma client with telemetry off: embedded by default, HTTP when a URL is set."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        url = self.settings.chroma_url
        try:
            if url:
                parsed = urlparse(url if "://" in url else f"http://{url}")
                return chromadb.HttpClient(
                    host=parsed.hostname or "127.0.0.1",
                    port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                    ssl=parsed.scheme == "https",
                    settings=chroma_settings,
                )
            self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(self.settings.chroma_dir), settings=chroma_settings)
        except Exception as e:  # connection refused, bad folder: say which
            where = url or str(self.settings.chroma_dir)
            raise StoreError(f"cannot open Chroma at {where}: {e}") from e

    def vectors_name(self) -> str:
        """The collection holding the committed vectors: the one the manifest last read names."""
        if self._vectors is None:
            self.read_manifest()
        return self._vectors or self.settings.collection

    def open_collection(self, name: str):
        """A vector collection by name, created when missing (cosine space, no embedding function)."""
        # embedding_function=None: vectors always come from our model; Chroma's default
        # embedding function would download one.
        try:
            return self.client.get_or_create_collection(name, embedding_function=None,
                                                        metadata={"hnsw:space": "cosine"})
        except Exception as e:
            raise StoreError(f"cannot open Chroma collection '{name}': {e}") from e

    @property
    def collection(self):
        """The vector collection the committed manifest names (opened once per name)."""
        name = self.vectors_name()
        opened = self._opened
        if opened is None or opened[0] != name:
            opened = self._opened = (name, self.open_collection(name))
        return opened[1]

    @property
    def vector_store(self):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        collection = self.collection
        if self._vector_store is None or self._vector_store[0] is not collection:
            self._vector_store = (collection, ChromaVectorStore(chroma_collection=collection))
        return self._vector_store[1]

    def count(self) -> int:
        """How many vectors the collection holds (committed or not)."""
        return self.collection.count()

    def vector_ids(self) -> set[str]:
        """Every id in the collection, fetched in pages (a server limits one response)."""
        ids: set[str] = set()
        page = 5000
        offset = 0
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            ids.update(got)
            if len(got) < page:
                return ids
            offset += page

    def delete_vectors(self, ids: list[str]) -> None:
        """Delete vectors by id, in batches Chroma accepts."""
        for lo in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[lo:lo + 5000])
