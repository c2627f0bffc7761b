"""The records of a store kept on a Chroma server, beside its vectors: nothing on local disk.

Two collections next to the vector collection `<name>`:

    <name>__docs   one or more records per document ("<doc_id>#<part>"): the JSON of its
                   StoredDocument (text, every Sentence with all its fields), in parts
    <name>__meta   "head" (the committed generation: the commit point), "manifest-<gen>"
                   (the manifest of that generation), "pending" (documents a writer
                   touches before committing them) and "lease" (the writer lease)

JSON lives in metadata, not in Chroma's `documents`, which Chroma indexes for full-text
search. Chroma requires a vector per record; these records carry a constant 1-d one.

A commit writes the documents' records, then manifest-<gen+1>, then moves "head": one
record upsert, so readers see the old generation or the new one, never a mix. Readers
filter everything (vectors included) on the committed manifest, so a writer's
uncommitted vectors and records are invisible; the next writer sweeps them.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from reportqa.errors import StoreError
from reportqa.manifest import Debris, Manifest, StoredDocument
from reportqa.store_lease import Lease

# A metadata string of 2 MB round-trips; parts of 1 MB keep every request small.
PART_CHARS = 1_000_000
HEAD, PENDING = "head", "pending"
_ONE = [1.0]  # the placeholder vector of a record that is not searched by similarity
_PAGE = 500  # records per get when reading documents in bulk

# A server restarting or a dropped connection: worth a few quick retries before failing.
chroma_retry = retry(retry=retry_if_exception_type((httpx.TransportError, ConnectionError, TimeoutError)),
                     stop=stop_after_attempt(4), wait=wait_exponential(multiplier=0.2, max=2), reraise=True)


class ChromaRecords:
    """Manifest, document records, pending list and lease in two Chroma collections."""

    saves_lexical = False  # each reader builds BM25 from the document records

    def __init__(self, store):
        self.store = store
        self.settings = store.settings
        self.lease: Lease | None = None
        self._version: tuple[float, int] | None = None  # (checked at, generation)
        self._noted: set[str] | None = None  # the pending list as this writer last wrote it

    @property
    def location(self) -> str:
        return f"{self.settings.chroma_url} (collection {self.settings.collection})"

    def _collection(self, suffix: str):
        try:
            return self.store.client.get_or_create_collection(f"{self.settings.collection}__{suffix}",
                                                              embedding_function=None)
        except Exception as e:
            raise StoreError(f"cannot open the '{suffix}' records on {self.location}: {e}") from e

    @property
    def docs(self):
        if not hasattr(self, "_docs"):
            self._docs = self._collection("docs")
        return self._docs

    @property
    def meta(self):
        if not hasattr(self, "_meta"):
            self._meta = self._collection("meta")
        return self._meta

    # ---- manifest and version ------------------------------------------------------

    @chroma_retry
    def _generation(self) -> int:
        got = self.meta.get(ids=[HEAD], include=["metadatas"])
        return int(got["metadatas"][0]["generation"]) if got["ids"] else 0

    def version(self) -> int:
        """The committed generation, asked of the server at most every refresh_seconds."""
        now = time.monotonic()
        if self._version is None or now - self._version[0] >= self.settings.refresh_seconds:
            self._version = (now, self._generation())
        return self._version[1]

    def exists(self) -> bool:
        return self._generation() > 0

    @chroma_retry
    def read_manifest(self) -> Manifest:
        """The committed manifest (empty before the first commit)."""
        generation = self._generation()
        if generation == 0:
            return Manifest()
        got = self.meta.get(ids=[f"manifest-{generation}"], include=["metadatas"])
        if not got["ids"]:
            # A writer deleted it after committing a newer generation: the caller reads again.
            raise StoreError(f"manifest {generation} on {self.location} is gone (a newer one was committed)")
        try:
            return Manifest.model_validate_json(got["metadatas"][0]["json"])
        except (ValueError, KeyError) as e:
            raise StoreError(f"the manifest on {self.location} is damaged ({e.__class__.__name__}); "
                             "run `reportqa doctor`") from e

    def write_manifest(self, manifest: Manifest) -> None:
        """Commit: store this generation's manifest, then move the head to it."""
        if self.lease is not None:
            self.lease.check()
        gen = manifest.generation
        self.meta.upsert(ids=[f"manifest-{gen}"], embeddings=[_ONE],
                         metadatas=[{"generation": gen, "json": manifest.model_dump_json()}])
        self.meta.upsert(ids=[HEAD], embeddings=[_ONE], metadatas=[{"generation": gen}])
        self._version = None
        # Readers that read the head just before this commit may still fetch the previous one.
        old = [i for i in self.meta.get(include=[])["ids"]
               if i.startswith("manifest-") and int(i.split("-")[1]) < gen - 1]
        if old:
            self.meta.delete(ids=old)

    # ---- documents -----------------------------------------------------------------

    def save_documents(self, docs: list[StoredDocument]) -> None:
        """Store documents' records (invisible until a manifest lists them)."""
        ids, metas = [], []
        for stored in docs:
            doc_id = stored.document.doc_id
            raw = stored.model_dump_json()
            parts = [raw[i:i + PART_CHARS] for i in range(0, len(raw), PART_CHARS)] or [""]
            self.docs.delete(where={"report_id": doc_id})  # an earlier, killed attempt's parts
            for n, chunk in enumerate(parts):
                ids.append(f"{doc_id}#{n}")
                metas.append({"report_id": doc_id, "part": n, "parts": len(parts), "json": chunk})
        for lo in range(0, len(ids), 100):
            self.docs.upsert(ids=ids[lo:lo + 100], embeddings=[_ONE] * len(ids[lo:lo + 100]),
                             metadatas=metas[lo:lo + 100])

    def delete_document(self, doc_id: str) -> None:
        self.docs.delete(where={"report_id": doc_id})

    @chroma_retry
    def _raw_documents(self, doc_ids: list[str]) -> dict[str, list[dict]]:
        rows: dict[str, list[dict]] = {d: [] for d in doc_ids}
        for lo in range(0, len(doc_ids), _PAGE):
            batch = doc_ids[lo:lo + _PAGE]
            where = {"report_id": batch[0]} if len(batch) == 1 else {"report_id": {"$in": batch}}
            got = self.docs.get(where=where, include=["metadatas"])
            for meta in got["metadatas"]:
                rows.setdefault(meta["report_id"], []).append(meta)
        return rows

    @staticmethod
    def _assemble(doc_id: str, parts: list[dict]) -> StoredDocument | str:
        if not parts:
            return "missing"
        parts = sorted(parts, key=lambda m: m["part"])
        if [m["part"] for m in parts] != list(range(parts[0]["parts"])):
            return f"damaged ({len(parts)} of {parts[0]['parts']} parts)"
        try:
            stored = StoredDocument.model_validate_json("".join(m["json"] for m in parts))
        except ValueError as e:
            return f"damaged ({e.__class__.__name__})"
        return stored if stored.document.doc_id == doc_id else f"holds document {stored.document.doc_id}"

    def inspect_document(self, doc_id: str) -> StoredDocument | str:
        """The document's record, or why it cannot be used."""
        return self._assemble(doc_id, self._raw_documents([doc_id])[doc_id])

    def load_documents(self, doc_ids: list[str]) -> dict[str, StoredDocument]:
        """Several documents in a few requests (a reader's start-up and refresh)."""
        out = {}
        for doc_id, parts in self._raw_documents(list(doc_ids)).items():
            got = self._assemble(doc_id, parts)
            if isinstance(got, str):
                raise StoreError(f"the record of document {doc_id} on {self.location} is {got}; "
                                 "run `reportqa doctor --repair`")
            out[doc_id] = got
        return out

    def _stored_doc_ids(self) -> set[str]:
        return {i.rsplit("#", 1)[0] for i in self.docs.get(include=[])["ids"]}

    # ---- what a killed writer leaves ---------------------------------------------------

    def note_pending(self, doc_ids: set[str]) -> None:
        """Record, before writing them, the documents whose vectors this writer adds or deletes."""
        if self._noted is None:
            self._noted = self._pending()
        if doc_ids <= self._noted:
            return
        self._noted |= doc_ids
        self.meta.upsert(ids=[PENDING], embeddings=[_ONE], metadatas=[{"json": json.dumps(sorted(self._noted))}])

    def _pending(self) -> set[str]:
        got = self.meta.get(ids=[PENDING], include=["metadatas"])
        return set(json.loads(got["metadatas"][0]["json"])) if got["ids"] else set()

    def debris(self, manifest: Manifest) -> list[Debris]:
        """Document records of no committed document (a writer killed mid-commit)."""
        orphans = sorted(self._stored_doc_ids() - set(manifest.documents))
        if not orphans:
            return []
        return [Debris(code="doc-orphans", doc_ids=orphans, repaired="deleted records of uncommitted documents",
                       message=f"{len(orphans)} document record(s) of no committed document (e.g. {orphans[0]})")]

    def leftover_pending(self, manifest: Manifest) -> set[str]:
        """Documents a writer noted as pending that no manifest lists: a dead writer's."""
        return self._pending() - set(manifest.documents)

    def clear_debris(self, manifest: Manifest, keep: set[str] = frozenset()) -> list[str]:
        """Delete uncommitted document records, and the vectors of documents a dead writer
        noted as pending but never committed (or removed without deleting them).

        The vectors of `keep` stay, still noted as pending: an ingest that may write the
        same documents again finds them in place instead of deleting and re-adding them
        (re-adding deleted ids leaves some unreachable in Chroma's HNSW graph,
        chroma-core/chroma#7758). It clears them itself when its run ends.
        """
        done = [d.repaired for d in self.debris(manifest)]
        for doc_id in self._stored_doc_ids() - set(manifest.documents):
            self.delete_document(doc_id)
        leftover = self._pending() - set(manifest.documents)
        gone = sorted(leftover - set(keep))
        for lo in range(0, len(gone), 100):
            batch = gone[lo:lo + 100]
            self.store.collection.delete(where={"report_id": {"$in": batch}} if len(batch) > 1
                                         else {"report_id": batch[0]})
        if gone:
            done.append(f"deleted the vectors of {len(gone)} uncommitted document(s)")
        kept = leftover & set(keep)
        if kept:
            self.meta.upsert(ids=[PENDING], embeddings=[_ONE], metadatas=[{"json": json.dumps(sorted(kept))}])
        else:
            self.meta.delete(ids=[PENDING])
        self._noted = kept
        return done

    # ---- the writer lease ----------------------------------------------------------------

    def _lease(self) -> Lease:
        return Lease(self.meta, self.settings.lease_seconds, self.location)

    @contextmanager
    def writer(self):
        """Hold the writer lease (StoreBusy naming the holder when another writer has it)."""
        lease = self._lease()
        lease.acquire()
        self.lease = lease
        try:
            yield
        finally:
            self.lease = None
            lease.release()

    def writer_busy(self) -> bool:
        """Whether another writer holds a live lease."""
        return self._lease().holder() is not None

    def lease_holder(self):
        """The live lease record of a writer, or None."""
        return self._lease().holder()
