"""Ingest report files into the store: read, split, embed, then commit atomically.

Vectors go into Chroma as soon as a file is embedded, but a document only becomes
visible when its batch is committed: document files written, BM25 rebuilt, and the
manifest replaced in one rename. A crash before that leaves invisible vectors that
the next ingest overwrites (node ids are deterministic).

The public surface (`ingest`, `remove`, `sweep`, `reembed`, `rebuild`, `writing`) is
what the CLI, the UI and the doctor use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from reportqa.bm25 import LexicalIndex
from reportqa.errors import ReportQAError, StoreError, UnsupportedFile
from reportqa.models import DocumentInfo, IngestResult, row_labels
from reportqa.settings import Settings
from reportqa.store import Manifest, Store, StoredDocument, chroma_metadata
from reportqa.vector_codec import pack_vector

from ingest.lock import writer_lock
from ingest.prepare import content_id, context_of, expand_paths, prepare_document, read_checked
from ingest.vector_cache import VectorCache

__all__ = ["Ingestor", "content_id", "expand_paths", "prepare_document"]

ProgressHook = Callable[[str, int], None]

# Files are embedded in groups of about this many sentences: one encode call over several
# small files, so the model's length sorting works across files and batches pad less.
EMBED_GROUP_SENTENCES = 512


class Ingestor:
    """Writes documents into one store. Components are passed in so tests can swap them."""

    def __init__(self, settings: Settings, embedder=None, store: Store | None = None,
                 progress: ProgressHook | None = None):
        self.settings = settings
        self.store = store or Store(settings)
        self._embedder = embedder
        self.progress = progress or (lambda event, n: None)
        self._lexical_cache: dict[str, tuple[list[str], list[str]]] = {}
        self.vectors = VectorCache(settings.embed_cache_sentences)
        self._holding = 0  # nesting depth of `writing()` in this process
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
        with self.writing():
            return self._ingest_locked(list(paths))

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

    def _ingest_locked(self, paths: list[Path]) -> list[IngestResult]:
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

    def _ingest_files(self, manifest: Manifest, paths: list[Path]) -> list[IngestResult]:
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
        for path, early in expand_paths(paths):
            if early is not None:
                results.append(early)
                continue
            result = IngestResult(path=str(path), status="failed")
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
        """Embed and add a group of prepared files, then count them as pending (in order)."""
        self._embed_and_add([stored for stored, _ in group])
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
        from llama_index.core.schema import TextNode

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
        window = self.settings.context_window
        nodes = [
            TextNode(
                id_=s.node_id,
                text=texts[i],
                embedding=vectors[texts[i]],
                metadata=chroma_metadata(doc.document, s, context_of(doc.sentences, i, window)),
            )
            for doc, texts in zip(docs, texts_of)
            for i, s in enumerate(doc.sentences)
        ]
        collection = self.store.collection
        # Chroma refuses bigger batches (5,461 embedded) with an InternalError, so a long
        # document is added in pieces rather than failing the whole run.
        step = self.store.client.get_max_batch_size()
        step = step if step > 0 else 4096
        for batch in _batches(nodes, step, _BATCH_BYTES):
            fresh, replaced = _write_plan(collection, batch)
            # A crashed earlier run may have left some of these ids: replace, don't duplicate.
            if replaced:
                collection.delete(ids=replaced)
            if fresh:
                self.store.vector_store.add(fresh)

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
        new_manifest = Manifest(
            generation=generation, bm25=bm25_name, embed_model=self.settings.embed_model, documents=documents
        )
        self.store.write_manifest(new_manifest)
        # Now committed: clean up what nobody can see any more.
        for doc_id in removed:
            old = manifest.documents[doc_id]
            self.store.delete_vectors([f"{doc_id}:{i}" for i in range(old.sentences)])
            self.store.delete_document(doc_id)
            self._lexical_cache.pop(doc_id, None)
        self.store.clear_debris(new_manifest, self._inherited)
        return new_manifest

    def _lexical_index(self, documents: dict[str, DocumentInfo]) -> LexicalIndex:
        ids: list[str] = []
        texts: list[str] = []
        for doc_id in sorted(documents):
            i, t = self._lexical_rows(doc_id)
            ids.extend(i)
            texts.extend(t)
        return LexicalIndex.build(ids, texts)


# A Chroma server refuses a request body over a few tens of MB ("413 Payload Too
# Large", measured: 32 MB passes, 64 MB fails on chromadb 1.5), and each node carries
# its context window as metadata, so one long line can be several times its own size.
# Batches are bounded by an estimate of their JSON size well under that.
_BATCH_BYTES = 8 * 1024 * 1024
_VECTOR_BYTES_PER_DIM = 20  # a float as JSON text, with its separator


def _node_bytes(node) -> int:
    meta = sum(len(str(k)) + len(str(v)) + 6 for k, v in (node.metadata or {}).items())
    dims = len(node.embedding) if node.embedding is not None else 0
    # llama-index also serialises the node itself into the metadata ("_node_content").
    return 2 * len(node.text) + 2 * meta + dims * _VECTOR_BYTES_PER_DIM + 256


def _write_plan(collection, batch: list) -> tuple[list, list[str]]:
    """The nodes of `batch` to add, and the stored ids to delete first.

    A node whose id already holds its text and vector (a killed writer's or an earlier
    attempt's) is not written again, and a changed source path or context only updates
    its metadata: deleting and re-adding vectors churns Chroma's HNSW graph, which then
    can leave live records unreachable by any query (chroma-core/chroma#7758, 1.5.9).
    """
    import numpy as np
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    # Ids alone first: on a fresh ingest none exists, and reading no vectors back keeps it fast.
    have = collection.get(ids=[n.node_id for n in batch], include=[])["ids"]
    if not have:
        return batch, []
    got = collection.get(ids=have, include=["embeddings", "documents", "metadatas"])
    stored = {i: (e, d, m) for i, e, d, m in zip(got["ids"], got["embeddings"], got["documents"], got["metadatas"])}
    fresh, replaced, retag_ids, retag_meta = [], [], [], []
    for node in batch:
        old = stored.get(node.node_id)
        if old is None:
            fresh.append(node)
            continue
        vector, text, meta = old
        if text != node.text or not np.allclose(vector, node.embedding, atol=1e-6):
            fresh.append(node)
            replaced.append(node.node_id)
            continue
        want = {k: ("" if v is None else v) for k, v in node_to_metadata_dict(node, remove_text=True).items()}
        if meta != want:
            retag_ids.append(node.node_id)
            retag_meta.append(want)
    if retag_ids:
        collection.update(ids=retag_ids, metadatas=retag_meta)
    return fresh, replaced


def _batches(nodes: list, max_count: int, max_bytes: int):
    """Consecutive slices of `nodes`, each at most `max_count` long and (unless one node
    alone is bigger) at most about `max_bytes` as a request."""
    batch: list = []
    size = 0
    for node in nodes:
        n = _node_bytes(node)
        if batch and (len(batch) >= max_count or size + n > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(node)
        size += n
    if batch:
        yield batch

