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
from reportqa.models import Document, DocumentInfo, IngestResult, Sentence
from reportqa.settings import Settings
from reportqa.store import Manifest, Store, StoredDocument, chroma_metadata

from ingest.lock import writer_lock
from ingest.readers import SUPPORTED, read_document
from ingest.sentences import split_sentences

ProgressHook = Callable[[str, int], None]


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
        by_source = {d.source: d for d in manifest.documents.values()}
        results: list[IngestResult] = []
        pending: list[tuple[StoredDocument, IngestResult]] = []
        pending_ids: set[str] = set()
        replaced: set[str] = set()
        pending_sentences = 0
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
                result.status = "replaced"
            else:
                result.status = "new"
            self._embed_and_add(stored)
            self.progress("file", len(stored.sentences))
            pending.append((stored, result))
            pending_ids.add(stored.document.doc_id)
            pending_sentences += len(stored.sentences)
            committed = sum(d.sentences for d in manifest.documents.values())
            if pending_sentences >= max(self.settings.commit_every, committed // 2):
                manifest = self._commit(manifest, pending, replaced)
                pending, replaced, pending_sentences = [], set(), 0
        if pending or replaced:
            self._commit(manifest, pending, replaced)
        return results

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

    def _embed_and_add(self, stored: StoredDocument) -> None:
        from llama_index.core.schema import TextNode

        sentences = stored.sentences
        texts = [s.search_text for s in sentences]
        unique = list(dict.fromkeys(texts))  # a repeated sentence is embedded once
        vectors = dict(zip(unique, self.embedder.encode(unique)))
        window = self.settings.context_window
        nodes = [
            TextNode(
                id_=s.node_id,
                text=texts[i],
                embedding=vectors[texts[i]],
                metadata=chroma_metadata(stored.document, s, context_of(sentences, i, window)),
            )
            for i, s in enumerate(sentences)
        ]
        collection = self.store.collection
        # A crashed earlier run may have left some of these ids: replace, don't duplicate.
        collection.delete(ids=[n.node_id for n in nodes])
        self.store.vector_store.add(nodes)

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
            self.store.collection.delete(ids=[f"{doc_id}:{i}" for i in range(old.sentences)])
            self.store.doc_path(doc_id).unlink(missing_ok=True)
            self._lexical_cache.pop(doc_id, None)
        for old_dir in self.store.root.glob("bm25-*"):
            if old_dir.name != bm25_name:
                shutil.rmtree(old_dir, ignore_errors=True)
        return new_manifest
