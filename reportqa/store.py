"""Layout of a data directory and access to its parts.

    data_dir/
      manifest.json      committed documents + generation + which BM25 folder is current
      docs/<id>.json     each document's text and sentences (the source of truth for offsets)
      bm25-<gen>/        the lexical index for that generation
      chroma/            embedded Chroma (unless REPORTQA_CHROMA_URL points at a server)
      writer.lock        held by the one process allowed to write

A document is visible only once it is in the manifest, and the manifest is replaced
atomically, so readers never see half of a document.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel, Field

from reportqa.errors import StoreError, UnknownDocument
from reportqa.models import Document, DocumentInfo, Sentence, node_id
from reportqa.settings import Settings


class Manifest(BaseModel):
    generation: int = 0
    bm25: str | None = None
    embed_model: str | None = None
    documents: dict[str, DocumentInfo] = Field(default_factory=dict)

    def sentence_ids(self) -> list[str]:
        """Ids of the committed sentences, documents in id order (the order of the BM25 index)."""
        return [node_id(d, i) for d in sorted(self.documents) for i in range(self.documents[d].sentences)]

    def resolve(self, ref: str) -> DocumentInfo:
        """A document by content id (or a unique prefix of it) or by file name stem."""
        ref = ref.strip()
        if ref in self.documents:
            return self.documents[ref]
        by_stem = [d for d in self.documents.values() if d.stem == ref or Path(d.source).name == ref]
        if len(by_stem) == 1:
            return by_stem[0]
        if len(ref) >= 6:
            by_prefix = [d for d in self.documents.values() if d.doc_id.startswith(ref)]
            if len(by_prefix) == 1:
                return by_prefix[0]
        if len(by_stem) > 1:
            raise UnknownDocument(f"'{ref}' names {len(by_stem)} documents; use the content id")
        raise UnknownDocument(f"no document '{ref}' in the store (see `reportqa docs`)")


class StoredDocument(BaseModel):
    document: Document
    sentences: list[Sentence]


class Debris(BaseModel):
    """Something only a killed writer leaves behind, found by `Store.debris`."""

    code: str  # the doctor's problem code
    message: str
    doc_ids: list[str] = Field(default_factory=list)
    repaired: str  # what deleting it is called in a repair report


def atomic_write(path: Path, data: str) -> None:
    """Write a file so that readers see either the old or the new content, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    """One data directory plus its Chroma collection (embedded or on a server)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = Path(settings.data_dir)

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    def read_manifest(self) -> Manifest:
        """The committed state; an empty manifest for a new data directory."""
        try:
            raw = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Manifest()
        try:
            return Manifest.model_validate_json(raw)
        except ValueError as e:
            raise StoreError(f"{self.manifest_path} is damaged ({e.__class__.__name__}); run `reportqa doctor --repair`") from e

    def manifest_mtime(self) -> float:
        try:
            return self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def write_manifest(self, manifest: Manifest) -> None:
        atomic_write(self.manifest_path, manifest.model_dump_json(indent=1))

    def doc_path(self, doc_id: str) -> Path:
        return self.docs_dir / f"{doc_id}.json"

    def load_document(self, doc_id: str) -> StoredDocument:
        try:
            return StoredDocument.model_validate_json(self.doc_path(doc_id).read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise StoreError(f"document file for {doc_id} is missing; run `reportqa doctor --repair`") from e

    def save_document(self, stored: StoredDocument) -> None:
        atomic_write(self.doc_path(stored.document.doc_id), stored.model_dump_json())

    def bm25_dir(self, name: str) -> Path:
        return self.root / name

    def _tmp_files(self) -> list[Path]:
        return [*self.root.glob("*.tmp"), *self.docs_dir.glob("*.tmp")]

    def _orphan_doc_files(self, manifest: Manifest) -> list[Path]:
        return sorted(p for p in self.docs_dir.glob("*.json") if p.stem not in manifest.documents)

    def _stale_bm25(self, manifest: Manifest) -> list[Path]:
        return sorted(p for p in self.root.glob("bm25-*") if p.name != manifest.bm25)

    def debris(self, manifest: Manifest) -> list[Debris]:
        """What a killed writer left beside the committed state: uncommitted document
        files, BM25 folders not in use, temp files. Meaningful only with no writer running."""
        found: list[Debris] = []
        orphans = [p.stem for p in self._orphan_doc_files(manifest)]
        if orphans:
            found.append(Debris(code="doc-orphans", doc_ids=orphans,
                                message=f"{len(orphans)} document file(s) of no committed document "
                                f"(e.g. docs/{orphans[0]}.json)",
                                repaired="deleted document files of uncommitted documents"))
        stale = [p.name for p in self._stale_bm25(manifest)]
        if stale:
            found.append(Debris(code="bm25-stale", message=f"{len(stale)} BM25 folder(s) not in use: "
                                + ", ".join(stale[:3]), repaired="deleted BM25 folders not in use"))
        tmp = sorted(str(p.relative_to(self.root)) for p in self._tmp_files())
        if tmp:
            found.append(Debris(code="tmp-files", message=f"{len(tmp)} leftover temp file(s): " + ", ".join(tmp[:3]),
                                repaired="deleted leftover temp files"))
        return found

    def clear_debris(self, manifest: Manifest) -> list[str]:
        """Delete what `debris` finds; returns what was done. Only the writer may call this."""
        done = [d.repaired for d in self.debris(manifest)]
        for tmp in self._tmp_files():
            tmp.unlink(missing_ok=True)
        for doc_file in self._orphan_doc_files(manifest):
            doc_file.unlink(missing_ok=True)
        for folder in self._stale_bm25(manifest):
            shutil.rmtree(folder, ignore_errors=True)
        return done

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

    @cached_property
    def collection(self):
        # embedding_function=None: vectors always come from our model; Chroma's default
        # embedding function would download one.
        try:
            return self.client.get_or_create_collection(
                self.settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        except Exception as e:
            raise StoreError(f"cannot open Chroma collection '{self.settings.collection}': {e}") from e

    @cached_property
    def vector_store(self):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.collection)

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
