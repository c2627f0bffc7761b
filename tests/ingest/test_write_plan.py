"""What a writer re-sends to Chroma for ids it (or a killed writer) already stored."""

from __future__ import annotations

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from llama_index.core.schema import TextNode

from ingest.pipeline import _write_plan


def node(i: int, text: str, source: str = "a/report.md", shift: float = 0.0) -> TextNode:
    vector = [0.0] * 8
    vector[i % 8] = 1.0
    vector[(i + 1) % 8] = 0.5 + shift
    return TextNode(id_=f"doc:{i}", text=text, embedding=vector,
                    metadata={"report_id": "doc", "source": source, "sentence": i})


@pytest.fixture
def collection(tmp_path):
    client = chromadb.PersistentClient(str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    return client.create_collection("plan", metadata={"hnsw:space": "cosine"})


def add(collection, nodes):
    from llama_index.vector_stores.chroma import ChromaVectorStore

    ChromaVectorStore(chroma_collection=collection).add(nodes)


def test_new_ids_are_added_and_nothing_is_deleted(collection):
    batch = [node(i, f"Sentence {i} counts {i * 7} cases.") for i in range(4)]
    fresh, replaced = _write_plan(collection, batch)
    assert [n.node_id for n in fresh] == [n.node_id for n in batch] and replaced == []


def test_an_identical_stored_row_is_not_written_again(collection):
    batch = [node(i, f"Sentence {i} counts {i * 7} cases.") for i in range(4)]
    add(collection, batch)
    fresh, replaced = _write_plan(collection, [node(i, f"Sentence {i} counts {i * 7} cases.") for i in range(4)])
    assert fresh == [] and replaced == []
    assert collection.count() == 4


def test_a_moved_source_updates_metadata_only(collection):
    add(collection, [node(i, f"Sentence {i}.") for i in range(3)])
    fresh, replaced = _write_plan(collection, [node(i, f"Sentence {i}.", source="b/report.md") for i in range(3)])
    assert fresh == [] and replaced == []
    got = collection.get(ids=["doc:0", "doc:2"], include=["metadatas", "embeddings"])
    assert [m["source"] for m in got["metadatas"]] == ["b/report.md", "b/report.md"]
    assert got["embeddings"][0][0] == pytest.approx(1.0)
    hit = collection.query(query_embeddings=[node(2, "").embedding], n_results=1, where={"report_id": "doc"})
    assert hit["ids"][0] == ["doc:2"]


def test_changed_text_or_vector_is_replaced(collection):
    add(collection, [node(i, f"Sentence {i}.") for i in range(3)])
    batch = [node(0, "Sentence 0, corrected."), node(1, "Sentence 1.", shift=0.4), node(2, "Sentence 2."),
             node(3, "Sentence 3 is new.")]
    fresh, replaced = _write_plan(collection, batch)
    assert [n.node_id for n in fresh] == ["doc:0", "doc:1", "doc:3"]
    assert replaced == ["doc:0", "doc:1"]
