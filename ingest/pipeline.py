"""Ingest report files into the store: read, split, embed, then commit atomically.

Vectors go into Chroma as soon as a file is embedded, but a document only becomes
visible when its batch is committed: document files written, BM25 rebuilt, and the
manifest replaced in one rename. A crash before that leaves invisible vectors that
the next ingest overwrites (node ids are deterministic).

The public surface (`ingest`, `remove`, `sweep`, `reembed`, `rebuild`, `writing`) is
what the CLI, the UI and the doctor use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from reportqa.bm25 import LexicalIndex
from reportqa.errors import ReportQAError, StoreError, UnsupportedFile
from reportqa.models import DocumentInfo, IngestResult, row_labels
from reportqa.settings import Settings
from reportqa.store import Manifest, Store, StoredDocument
from reportqa.vector_codec import pack_vector

from ingest.lock import writer_lock
from ingest.readers.common import short
from ingest.prepare import content_id, expand_paths, prepare_document, read_checked, safe_name
from ingest.vector_cache import VectorCache
from ingest.vector_index import _write_plan, add_nodes, make_nodes, rebuild_collection, wants_rebuild

__all__ = ["Ingestor", "_write_plan", "content_id", "expand_paths", "prepare_document"]

ProgressHook = Callable[[str, int], None]  # ("file", its sentences) after each stored file
EstimateHook = Callable[[int, int], None]  # (sentences, seconds expected) before a large group

# Files are embedded in groups of about this many sentences: one encode call over several
# small files, so the model's length sorting works across files and batches pad less.
EMBED_GROUP_SENTENCES = 512
# A group this large is announced to the estimate hook (seconds expected) before embedding.
LARGE_GROUP_SENTENCES = 2000


class Ingestor:
    """Writes documents into one store. Components are passed in so tests can swap them."""

    def __init__(self, settings: Settings, embedder=None, store: Store | None = None,
                 progress: ProgressHook | None = None, estimate: EstimateHook | None = None):
        self.settings = settings
        self.store = store or Store(settings)
        self._embedder = embedder
        self.progress = progress or (lambda event, n: None)
        self.estimate = estimate or (lambda sentences, seconds: None)
        self._lexical_cache: dict[str, tuple[list[str], list[str]]] = {}
        self.vectors = VectorCache(settings.embed_cache_sentences)
        self._holding = 0  # nesting depth of `writing()` in this process
        self._rate = 100.0  # sentences embedded per second (measured as the run goes)
        # A dead writer's uncommitted documents, kept during an ingest that may write them again.
        self._inherited: set[str] = set()

    @property
    def embedder(self):
        if self._embedder is None:
            from reportqa.embedding import LocalEmbedding

            self._embedder = LocalEmbedding.from_settings(self.settings)
        return self._embedder

    # ---- public API -------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's writer lock (StoreBusy if another writer has it); re-entrant,
        so a caller can run several of the methods below as one locked session."""
        if self._holding:
            self._holding += 1
            try:
                yield
            finally:
                self._holding -= 1
            return
        with writer_lock(self.store):
            self._holding = 1
            try:
                yield
            finally:
                self._holding = 0

    def ingest(self, paths: Iterable[Path]) -> list[IngestResult]:
        """Ingest files and folders; one bad file fails alone and changes nothing stored."""
        # Walked before taking the lock: a folder of pipes or links must not hold other writers up.
        walked = expand_paths(paths, follow_links=self.settings.follow_links)
        with self.writing():
            return self._ingest_locked(walked)

    def remove(self, ref: str) -> DocumentInfo:
        """Delete a document (by content id or file stem) from the manifest, BM25 and Chroma."""
        with self.writing():
            manifest = self.store.read_manifest()
            info = manifest.resolve(ref)
            self._commit(manifest, [], {info.doc_id})
            return info

    def sweep(self, vectors: bool = False, keep: set[str] = frozenset()) -> list[str]:
        """Delete what a killed writer left behind; returns what was deleted.

        Temp files, document files of uncommitted documents and unused BM25 folders
        always (only the lock holder writes them, so none is in use now); with
        `vectors`, also the vectors of no committed sentence (a full id listing, so
        the doctor asks for it, not every ingest: an ingest overwrites its own). The
        vectors of the documents in `keep` stay (see `Store.clear_debris`).
        """
        with self.writing():
            manifest = self.store.read_manifest()
            done = self.store.clear_debris(manifest, keep)
            if vectors:
                orphans = sorted(self.store.vector_ids() - set(manifest.sentence_ids()))
                self.store.delete_vectors(orphans)
                if orphans:
                    done.append(f"deleted {len(orphans)} vector(s) of no committed sentence")
            return done

    def reembed(self, doc_ids: Iterable[str]) -> int:
        """Embed committed documents again from their stored records (lost or wrong vectors);
        returns how many sentences were embedded."""
        with self.writing():
            docs = [self.store.load_document(d) for d in doc_ids]
            if docs:
                self._embed_and_add(docs)
            return sum(len(d.sentences) for d in docs)

    def rebuild(self, restore: Iterable[StoredDocument] = (), drop: Iterable[str] = ()) -> Manifest:
        """Commit a new generation: `restore` documents (re-read from their sources) are
        embedded and stored again, `drop` ids leave the store, BM25 is rebuilt from the
        document records. As crash-safe as an ingest (the same commit)."""
        with self.writing():
            restore = list(restore)
            if restore:
                self._embed_and_add(restore)
            rows = [(s, IngestResult(path=s.document.source, status="new")) for s in restore]
            return self._commit(self.store.read_manifest(), rows, set(drop))

    # ---- internals ----------------------------------------------------------------

    def _ingest_locked(self, paths: list[tuple[Path, IngestResult | None]]) -> list[IngestResult]:
        manifest = self.store.read_manifest()
        if manifest.embed_model and manifest.embed_model != self.settings.embed_model:
            raise StoreError(
                f"this store was built with embedding model '{manifest.embed_model}', not "
                f"'{self.settings.embed_model}'; use another REPORTQA_DATA_DIR or re-ingest into an empty one"
            )
        self._inherited = self.store.leftover_pending(manifest)
        try:
            return self._ingest_files(manifest, paths)
        finally:
            self._inherited = set()

    def _ingest_files(self, manifest: Manifest, paths: list[tuple[Path, IngestResult | None]]) -> list[IngestResult]:
        # A dead writer's vectors of a file this run writes again are kept and reused
        # (`_write_plan`); those of the other files go when the run ends.
        self.sweep(keep=self._inherited)
        by_source = {d.source: d for d in manifest.documents.values()}
        results: list[IngestResult] = []
        pending: list[tuple[StoredDocument, IngestResult]] = []
        pending_ids: set[str] = set()
        replaced: set[str] = set()
        pending_sentences = 0
        committed = sum(d.sentences for d in manifest.documents.values())
        group: list[tuple[StoredDocument, IngestResult]] = []  # prepared, not yet embedded
        group_sentences = 0
        for path, early in paths:
            if early is not None:
                results.append(early)
                continue
            result = IngestResult(path=safe_name(path), status="failed")
            results.append(result)
            try:
                stored = self._prepare(path, result, manifest, pending_ids)
            except UnsupportedFile as e:
                result.status, result.reason = "skipped", str(e)
                continue
            except ReportQAError as e:
                result.reason = str(e)
                continue
            except OSError as e:
                result.reason = f"cannot read file: {e.strerror or e}"
                continue
            except (RecursionError, MemoryError, ValueError, TypeError, LookupError) as e:
                # A reader library's bug on a hostile file fails that file alone, in one line.
                result.reason = f"could not be read ({e.__class__.__name__}: {short(e)})"
                continue
            if stored is None:
                continue
            old = by_source.get(stored.document.source)
            if old is not None and old.doc_id != stored.document.doc_id:
                replaced.add(old.doc_id)
                self._remember_vectors(old.doc_id)
                result.status = "replaced"
            else:
                result.status = "new"
            group.append((stored, result))
            pending_ids.add(stored.document.doc_id)
            group_sentences += len(stored.sentences)
            # Commit after the same files as when embedding one file at a time: the group is
            # embedded (and its vectors added) before the file that reaches the threshold commits.
            due = pending_sentences + group_sentences >= max(self.settings.commit_every, committed // 2)
            if not due and group_sentences < EMBED_GROUP_SENTENCES:
                continue
            pending_sentences += self._embed_group(group, pending)
            group, group_sentences = [], 0
            if due:
                manifest = self._commit(manifest, pending, replaced)
                committed = sum(d.sentences for d in manifest.documents.values())
                pending, replaced, pending_sentences = [], set(), 0
        if group:
            self._embed_group(group, pending)
        inherited, self._inherited = self._inherited, set()
        if pending or replaced:
            self._commit(manifest, pending, replaced)
        elif inherited:
            self.store.clear_debris(manifest)
        return results

    def _embed_group(self, group: list[tuple[StoredDocument, IngestResult]],
                     pending: list[tuple[StoredDocument, IngestResult]]) -> int:
        """Embed and add a group of prepared files, then count them as pending (in order).

        A large group is announced first with its expected seconds (from this run's rate so
        far), so a person watching a big file knows it is working and for how long.
        """
        count = sum(len(stored.sentences) for stored, _ in group)
        if count >= LARGE_GROUP_SENTENCES:
            self.estimate(count, round(count / self._rate))
        started = time.perf_counter()
        self._embed_and_add([stored for stored, _ in group])
        if count >= 100:
            self._rate = max(1.0, count / max(time.perf_counter() - started, 1e-3))
        for stored, result in group:
            self.progress("file", len(stored.sentences))
            pending.append((stored, result))
        return sum(len(stored.sentences) for stored, _ in group)

    def _prepare(self, path: Path, result: IngestResult, manifest: Manifest,
                 pending_ids: set[str]) -> StoredDocument | None:
        """The file as a document to add, or None when the store already has its content."""
        data = read_checked(path, self.settings)
        doc_id = content_id(data)
        result.doc_id = doc_id
        if doc_id in manifest.documents or doc_id in pending_ids:
            known = manifest.documents.get(doc_id)
            result.status = "unchanged"
            result.title = known.title if known else None
            result.sentences = known.sentences if known else 0
            return None
        stored = prepare_document(path, self.settings, data)
        result.title = stored.document.title
        result.sentences = len(stored.sentences)
        result.warnings = list(stored.document.warnings)
        return stored

    def _embed_and_add(self, docs: list[StoredDocument]) -> None:
        """Embed several documents' sentences in one encode call and add them to Chroma."""
        # Noted first: if this writer dies, the next one knows whose vectors to sweep.
        self.store.note_pending({doc.document.doc_id for doc in docs})
        texts_of = [[s.search_text for s in doc.sentences] for doc in docs]
        # A repeated sentence (in this group, earlier in the run, or in the edition this
        # document replaces) is embedded once.
        labels_of = [row_labels(doc.sentences) for doc in docs]
        labels = [label for by_table in labels_of for ls in by_table.values() for label in ls]
        vectors = self.vectors.embed([t for texts in texts_of for t in texts] + labels, self.embedder.encode)
        for doc, by_table in zip(docs, labels_of):
            for table in doc.document.tables:
                table.label_vectors = {label: pack_vector(vectors[label]) for label in by_table.get(table.index, [])}
        add_nodes(self.store, self.store.collection, make_nodes(docs, vectors, self.settings.context_window))

    def _remember_vectors(self, doc_id: str) -> None:
        """Put a stored document's vectors in the cache: its new edition mostly repeats it."""
        if self.settings.embed_cache_sentences <= 0:
            return
        try:
            ids = [s.node_id for s in self.store.load_document(doc_id).sentences]
            got = self.store.collection.get(ids=ids, include=["embeddings", "documents"])
        except Exception:  # noqa: BLE001 - only an optimisation: the new edition is then embedded in full
            return
        if got["embeddings"] is not None and len(got["embeddings"]):
            self.vectors.put(got["documents"], got["embeddings"])

    def _lexical_rows(self, doc_id: str) -> tuple[list[str], list[str]]:
        if doc_id not in self._lexical_cache:
            stored = self.store.load_document(doc_id)
            self._lexical_cache[doc_id] = (
                [s.node_id for s in stored.sentences], [s.search_text for s in stored.sentences]
            )
        return self._lexical_cache[doc_id]

    def _commit(self, manifest: Manifest, pending: list[tuple[StoredDocument, IngestResult]],
                removed: set[str]) -> Manifest:
        """Make pending documents visible and removed ones invisible, in one manifest write."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.store.note_pending(removed)
        self.store.save_documents([stored for stored, _ in pending])
        for stored, _ in pending:
            doc = stored.sentences
            self._lexical_cache[stored.document.doc_id] = ([s.node_id for s in doc], [s.search_text for s in doc])
        documents = {k: v for k, v in manifest.documents.items() if k not in removed}
        for stored, _ in pending:
            d = stored.document
            documents[d.doc_id] = DocumentInfo(
                doc_id=d.doc_id, title=d.title, source=d.source, stem=d.stem,
                sentences=len(stored.sentences), pages=d.pages, ingested_at=now,
            )
        generation = manifest.generation + 1
        bm25_name = None
        if self.store.saves_lexical:  # on a Chroma server each reader builds its own
            bm25_name = f"bm25-{generation:06d}"
            self.store.save_lexical(bm25_name, self._lexical_index(documents))
        deleted = sum(manifest.documents[d].sentences for d in removed)
        new_manifest = Manifest(
            generation=generation, bm25=bm25_name, embed_model=self.settings.embed_model, documents=documents,
            vectors=manifest.vectors, deleted_vectors=manifest.deleted_vectors + deleted,
        )
        self.store.write_manifest(new_manifest)
        # Now committed: clean up what nobody can see any more.
        for doc_id in removed:
            old = manifest.documents[doc_id]
            self.store.delete_vectors([f"{doc_id}:{i}" for i in range(old.sentences)])
            self.store.delete_document(doc_id)
            self._lexical_cache.pop(doc_id, None)
        self.store.clear_debris(new_manifest, self._inherited)
        if wants_rebuild(new_manifest, self.settings.vector_rebuild_share):
            new_manifest = rebuild_collection(self, new_manifest)
        return new_manifest

    def rebuild_vectors(self) -> Manifest:
        """Write the committed sentences into a fresh Chroma collection and switch to it (the
        doctor's repair when vectors stop retrieving themselves; see ingest/vector_index.py)."""
        with self.writing():
            return rebuild_collection(self, self.store.read_manifest())

    def _lexical_index(self, documents: dict[str, DocumentInfo]) -> LexicalIndex:
        ids: list[str] = []
        texts: list[str] = []
        for doc_id in sorted(documents):
            i, t = self._lexical_rows(doc_id)
            ids.extend(i)
            texts.extend(t)
        return LexicalIndex.build(ids, texts)
