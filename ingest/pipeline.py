"""Ingest report files into the store: read, split, embed, then commit atomically.

Vectors go into Chroma as soon as a file is embedded, but a document only becomes
visible when its batch is committed: document files written, BM25 rebuilt, and the
manifest replaced in one rename. A crash before that leaves invisible vectors that
the next ingest overwrites (node ids are deterministic).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from reportqa.bm25 import LexicalIndex
from reportqa.errors import BadInput, ReportQAError, StoreError, UnsupportedFile
from reportqa.models import DocumentInfo, IngestResult, Sentence, node_id
from reportqa.settings import Settings
from reportqa.store import Manifest, Store, StoredDocument, chroma_metadata

from ingest.lock import writer_lock
from ingest.readers import SUPPORTED, read_document
from ingest.sentences import split_sentences
from ingest.vector_cache import VectorCache

ProgressHook = Callable[[str, int], None]

# Files are embedded in groups of about this many sentences: one encode call over several
# small files, so the model's length sorting works across files and batches pad less.
EMBED_GROUP_SENTENCES = 512


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


def context_of(sentences: list[Sentence], i: int, window: int) -> str:
    lo, hi = max(0, i - window), min(len(sentences), i + window + 1)
    return " ".join(s.text for s in sentences[lo:hi])


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

    @property
    def embedder(self):
        if self._embedder is None:
            from reportqa.embedding import LocalEmbedding

            self._embedder = LocalEmbedding.from_settings(self.settings)
        return self._embedder

    # ---- public API -------------------------------------------------------------

    def ingest(self, paths: Iterable[Path]) -> list[IngestResult]:
        """Ingest files and folders; one bad file fails alone and changes nothing stored."""
        with writer_lock(self.store.root):
            return self._ingest_locked(list(paths))

    def remove(self, ref: str) -> DocumentInfo:
        """Delete a document (by content id or file stem) from the manifest, BM25 and Chroma."""
        with writer_lock(self.store.root):
            manifest = self.store.read_manifest()
            info = manifest.resolve(ref)
            self._commit(manifest, [], {info.doc_id})
            return info

    # ---- internals ----------------------------------------------------------------

    def _ingest_locked(self, paths: list[Path]) -> list[IngestResult]:
        manifest = self.store.read_manifest()
        if manifest.embed_model and manifest.embed_model != self.settings.embed_model:
            raise StoreError(
                f"this store was built with embedding model '{manifest.embed_model}', not "
                f"'{self.settings.embed_model}'; use another REPORTQA_DATA_DIR or re-ingest into an empty one"
            )
        self._sweep(manifest)
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
        if pending or replaced:
            self._commit(manifest, pending, replaced)
        return results

    def _embed_group(self, group: list[tuple[StoredDocument, IngestResult]],
                     pending: list[tuple[StoredDocument, IngestResult]]) -> int:
        """Embed and add a group of prepared files, then count them as pending (in order)."""
        self._embed_and_add([stored for stored, _ in group])
        for stored, result in group:
            self.progress("file", len(stored.sentences))
            pending.append((stored, result))
        return sum(len(stored.sentences) for stored, _ in group)

    def _sweep(self, manifest: Manifest) -> None:
        """Delete what a killed writer left behind: temp files, uncommitted document files and
        BM25 folders. Only the lock holder writes these, so none of them is in use now."""
        for tmp in [*self.store.root.glob("*.tmp"), *self.store.docs_dir.glob("*.tmp")]:
            tmp.unlink(missing_ok=True)
        for doc_file in self.store.docs_dir.glob("*.json"):
            if doc_file.stem not in manifest.documents:
                doc_file.unlink(missing_ok=True)
        for folder in self.store.root.glob("bm25-*"):
            if folder.name != manifest.bm25:
                shutil.rmtree(folder, ignore_errors=True)

    def _prepare(self, path: Path, result: IngestResult, manifest: Manifest,
                 pending_ids: set[str]) -> StoredDocument | None:
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED or suffix not in self.settings.allowed_extensions:
            raise UnsupportedFile(f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED)})")
        size = path.stat().st_size
        if size > self.settings.max_file_bytes:
            raise BadInput(
                f"file is {size / 1048576:.1f} MB, over the {self.settings.max_file_mb:g} MB limit (REPORTQA_MAX_FILE_MB)"
            )
        data = path.read_bytes()
        doc_id = content_id(data)
        result.doc_id = doc_id
        if doc_id in manifest.documents or doc_id in pending_ids:
            known = manifest.documents.get(doc_id)
            result.status = "unchanged"
            result.title = known.title if known else None
            result.sentences = known.sentences if known else 0
            return None
        document = read_document(path, data, doc_id)
        document.source = str(path.resolve())
        sentences = split_sentences(doc_id, document.text, document.page_starts, self.settings.long_sentence_words)
        if not sentences:
            raise BadInput("no sentences found in the file")
        result.title = document.title
        result.sentences = len(sentences)
        result.warnings = list(document.warnings)
        return StoredDocument(document=document, sentences=sentences)

    def _embed_and_add(self, stored: StoredDocument | list[StoredDocument]) -> None:
        """Embed one or several documents' sentences in one encode call and add them to Chroma."""
        from llama_index.core.schema import TextNode

        docs = [stored] if isinstance(stored, StoredDocument) else list(stored)
        texts_of = [[s.search_text for s in doc.sentences] for doc in docs]
        # A repeated sentence (in this group, earlier in the run, or in the edition this
        # document replaces) is embedded once.
        vectors = self.vectors.embed([t for texts in texts_of for t in texts], self.embedder.encode)
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
        for lo in range(0, len(nodes), step):
            batch = nodes[lo:lo + step]
            # A crashed earlier run may have left some of these ids: replace, don't duplicate.
            collection.delete(ids=[n.node_id for n in batch])
            self.store.vector_store.add(batch)

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
        """Make pending documents visible and removed ones invisible, in one manifest rename."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for stored, _ in pending:
            self.store.save_document(stored)
            doc = stored.sentences
            self._lexical_cache[stored.document.doc_id] = ([s.node_id for s in doc], [s.search_text for s in doc])
        documents = {k: v for k, v in manifest.documents.items() if k not in removed}
        for stored, _ in pending:
            d = stored.document
            documents[d.doc_id] = DocumentInfo(
                doc_id=d.doc_id, title=d.title, source=d.source, stem=d.stem,
                sentences=len(stored.sentences), pages=d.pages, ingested_at=now,
            )
        ids: list[str] = []
        texts: list[str] = []
        for doc_id in sorted(documents):
            i, t = self._lexical_rows(doc_id)
            ids.extend(i)
            texts.extend(t)
        generation = manifest.generation + 1
        bm25_name = f"bm25-{generation:06d}"
        bm25_dir = self.store.bm25_dir(bm25_name)
        if bm25_dir.exists():
            shutil.rmtree(bm25_dir)
        LexicalIndex.build(ids, texts).save(bm25_dir)
        new_manifest = Manifest(
            generation=generation, bm25=bm25_name, embed_model=self.settings.embed_model, documents=documents
        )
        self.store.write_manifest(new_manifest)
        # Now committed: clean up what nobody can see any more.
        for doc_id in removed:
            old = manifest.documents[doc_id]
            self.store.collection.delete(ids=[node_id(doc_id, i) for i in range(old.sentences)])
            self.store.doc_path(doc_id).unlink(missing_ok=True)
            self._lexical_cache.pop(doc_id, None)
        for old_dir in self.store.root.glob("bm25-*"):
            if old_dir.name != bm25_name:
                shutil.rmtree(old_dir, ignore_errors=True)
        return new_manifest
