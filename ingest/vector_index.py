"""Sentences into Chroma: nodes, request-sized batches, writes that spare the HNSW graph,
and a fresh collection when deletions have worn the old one.

What was wrong (issue 37): Chroma (1.5.9) keeps deleted vectors in its HNSW graph as
tombstones. After a store lost most of its vectors (large documents removed), the graph
the remaining vectors hang in was mostly tombstones and live records became unreachable
by any query (chroma-core/chroma#7758); re-adding the same ids did not help, since the
ids were present and were never written again. The cure is a collection built afresh
from the committed sentences: `rebuild_collection` writes one under a new name and the
manifest commits the switch, so readers move to it at their next refresh, and the writer
does that by itself once the vectors deleted since the last build pass a share of the
live ones (REPORTQA_VECTOR_REBUILD_SHARE). `reportqa doctor --repair` does it whenever
sentences stop retrieving themselves.
"""

from __future__ import annotations

import re

from reportqa.manifest import Manifest, StoredDocument
from reportqa.models import Sentence
from reportqa.store import Store, chroma_metadata

from ingest.prepare import context_of

# Documents read and vectors copied per step of a rebuild (bounded memory for any store size).
_REBUILD_SENTENCES = 2000


def make_nodes(docs: list[StoredDocument], vectors: dict[str, list[float]], window: int) -> list:
    """One llama-index TextNode per sentence, with its vector (by search text) and metadata."""
    from llama_index.core.schema import TextNode

    return [
        TextNode(
            id_=s.node_id,
            text=s.search_text,
            embedding=vectors[s.search_text],
            metadata=chroma_metadata(doc.document, s, context_of(doc.sentences, i, window)),
        )
        for doc in docs
        for i, s in enumerate(doc.sentences)
    ]


def add_nodes(store: Store, collection, nodes: list, check_existing: bool = True) -> None:
    """Add nodes to `collection` in batches Chroma accepts; ids already holding the same text
    and vector are left as they are (see `_write_plan`)."""
    from llama_index.vector_stores.chroma import ChromaVectorStore

    # Chroma refuses bigger batches (5,461 embedded) with an InternalError, so a long
    # document is added in pieces rather than failing the whole run.
    step = store.client.get_max_batch_size()
    step = step if step > 0 else 4096
    vector_store = store.vector_store if collection is store.collection else \
        ChromaVectorStore(chroma_collection=collection)
    for batch in _batches(nodes, step, _BATCH_BYTES):
        fresh, replaced = _write_plan(collection, batch) if check_existing else (batch, [])
        # A crashed earlier run may have left some of these ids: replace, don't duplicate.
        if replaced:
            collection.delete(ids=replaced)
        if fresh:
            vector_store.add(fresh)


def wants_rebuild(manifest: Manifest, share: float) -> bool:
    """Whether the vectors deleted since the collection was built pass `share` of the live ones."""
    live = sum(d.sentences for d in manifest.documents.values())
    return manifest.deleted_vectors > 0 and manifest.deleted_vectors >= max(share * live, 50)


def rebuild_collection(ingestor, manifest: Manifest) -> Manifest:
    """Write every committed sentence into a fresh collection and commit its name.

    Vectors are copied from the current collection where it holds the sentence's own text,
    and embedded again where it does not (lost or damaged); texts and metadata come from
    the document records, the text of record. Call under the writer lock. The collection
    this replaces is kept until the next rebuild (a reader may still be querying it); older
    ones are deleted.
    """
    store: Store = ingestor.store
    old = store.collection
    old_name = store.vectors_name()
    name = f"{ingestor.settings.collection}__v{manifest.generation + 1:06d}"
    try:
        store.client.delete_collection(name)  # a crashed rebuild's half
    except Exception:  # noqa: BLE001 - absent, which is the usual case
        pass
    fresh = store.open_collection(name)
    batch: list[str] = []
    size = 0
    for doc_id in sorted(manifest.documents):
        batch.append(doc_id)
        size += manifest.documents[doc_id].sentences
        if size >= _REBUILD_SENTENCES:
            _copy(ingestor, old, fresh, batch)
            batch, size = [], 0
    if batch:
        _copy(ingestor, old, fresh, batch)
    want = sum(d.sentences for d in manifest.documents.values())
    if fresh.count() != want:
        raise RuntimeError(f"the rebuilt collection holds {fresh.count()} vectors, not {want}")
    new = manifest.model_copy(update={"generation": manifest.generation + 1, "vectors": name,
                                      "deleted_vectors": 0})
    store.write_manifest(new)
    drop_collections(store, keep={name, old_name})
    return new


def _copy(ingestor, old, fresh, doc_ids: list[str]) -> None:
    store: Store = ingestor.store
    docs = [store.load_document(d) for d in doc_ids]
    sentences: list[Sentence] = [s for doc in docs for s in doc.sentences]
    vectors: dict[str, list[float]] = {}
    ids = [s.node_id for s in sentences]
    for lo in range(0, len(ids), 500):
        got = old.get(ids=ids[lo:lo + 500], include=["embeddings", "documents"])
        for text, vector in zip(got["documents"], got["embeddings"]):
            if text is not None and vector is not None:
                vectors[text] = list(vector)
    missing = list(dict.fromkeys(s.search_text for s in sentences if s.search_text not in vectors))
    if missing:
        vectors.update(ingestor.vectors.embed(missing, ingestor.embedder.encode))
    add_nodes(store, fresh, make_nodes(docs, vectors, ingestor.settings.context_window), check_existing=False)


def drop_collections(store: Store, keep: set[str]) -> list[str]:
    """Delete this store's vector collections (its base name and rebuilt ones) not in `keep`."""
    base = store.settings.collection
    ours = re.compile(re.escape(base) + r"(__v\d+)?")
    dropped = []
    for c in store.client.list_collections():
        name = getattr(c, "name", c)
        if ours.fullmatch(name) and name not in keep:
            store.client.delete_collection(name)
            dropped.append(name)
    return dropped
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

