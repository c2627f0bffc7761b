"""What a store commits: the manifest (visible documents and generation) and document records."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field

from reportqa.errors import UnknownDocument
from reportqa.models import Document, DocumentInfo, Sentence, node_id


class Manifest(BaseModel):
    """The committed state: a document is visible exactly when it is listed here."""

    generation: int = 0
    bm25: str | None = None
    embed_model: str | None = None
    # The Chroma collection holding this generation's vectors (None: the settings' name). A
    # rebuild writes a fresh one and commits its name here (see ingest/vector_rebuild.py).
    vectors: str | None = None
    # Vectors deleted from that collection since it was built: Chroma's HNSW graph degrades
    # with deletions (live records become unreachable), so past a share of the live ones the
    # writer rebuilds it.
    deleted_vectors: int = 0
    documents: dict[str, DocumentInfo] = Field(default_factory=dict)

    def sentence_ids(self) -> list[str]:
        """Ids of the committed sentences, documents in id order (the order of the BM25 index)."""
        return [node_id(d, i) for d in sorted(self.documents) for i in range(self.documents[d].sentences)]

    def resolve(self, ref: str) -> DocumentInfo:
        """A document by content id (or a unique prefix of it) or by file name stem."""
        ref = ref.strip()
        if ref in self.documents:
            return self.documents[ref]
        # os.path.basename, not Path(...).name: this runs for every document on every filtered question.
        by_stem = [d for d in self.documents.values() if d.stem == ref or os.path.basename(d.source) == ref]
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
    """A document's text of record and its sentences (every field of each, so new ones travel)."""

    document: Document
    sentences: list[Sentence]


class Debris(BaseModel):
    """Something only a killed writer leaves behind, found by `Store.debris`."""

    code: str  # the doctor's problem code
    message: str
    doc_ids: list[str] = Field(default_factory=list)
    repaired: str  # what deleting it is called in a repair report
