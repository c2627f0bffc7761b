"""A sentence text is embedded once: within a run, across files, and from a replaced edition."""

from __future__ import annotations

import numpy as np

from ingest.pipeline import Ingestor
from ingest.vector_cache import VectorCache
from reportqa.settings import Settings
from tests.ingest.test_pipeline import write


class CountingEmbedder:
    """The real model, recording which texts it was asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> list[list[float]]:
        self.seen.extend(texts)
        return self.inner.encode(texts)


def fake_encode(calls: list[list[str]]):
    def encode(texts: list[str]) -> list[list[float]]:
        calls.append(list(texts))
        return [[float(len(t)), float(sum(map(ord, t)) % 97)] for t in texts]
    return encode


def test_embed_runs_the_model_only_on_new_texts():
    cache, calls = VectorCache(10), []
    first = cache.embed(["a b", "c d", "a b"], fake_encode(calls))
    assert calls == [["a b", "c d"]]
    second = cache.embed(["c d", "e f"], fake_encode(calls))
    assert calls[-1] == ["e f"]
    assert second["c d"] == first["c d"]
    assert (cache.hits, cache.misses) == (1, 3)


def test_cache_is_bounded_least_recently_used_first():
    cache, calls = VectorCache(2), []
    cache.embed(["one", "two"], fake_encode(calls))
    cache.embed(["one"], fake_encode(calls))  # "one" is now the most recent
    cache.embed(["three"], fake_encode(calls))  # evicts "two"
    assert len(cache) == 2
    cache.embed(["one", "two"], fake_encode(calls))
    assert calls[-1] == ["two"]


def test_size_zero_turns_the_cache_off():
    cache, calls = VectorCache(0), []
    cache.embed(["same"], fake_encode(calls))
    cache.embed(["same"], fake_encode(calls))
    assert calls == [["same"], ["same"]] and len(cache) == 0


SHARED = "All figures are provisional and may be revised by the ministry."


def test_a_sentence_repeated_across_files_is_embedded_once(tmp_path, embedder):
    counting = CountingEmbedder(embedder)
    settings = Settings(data_dir=tmp_path / "data", commit_every=1)  # a commit after every file
    src = tmp_path / "src"
    write(src / "a.md", f"# A\n\nIn 2022 the shelter took in 412 people.\n\n{SHARED}\n")
    write(src / "b.md", f"# B\n\nIn 2023 the hotline answered 1,250 calls.\n\n{SHARED}\n")
    results = Ingestor(settings, embedder=counting).ingest([src])
    assert [r.status for r in results] == ["new", "new"]
    assert counting.seen.count(SHARED) == 1
    got = Ingestor(settings, embedder=embedder).store.collection.get(
        where_document={"$contains": "provisional"}, include=["embeddings"])
    assert len(got["ids"]) == 2  # stored for both documents, with the same vector
    assert np.allclose(got["embeddings"][0], got["embeddings"][1])


def test_a_revised_edition_embeds_only_its_changed_sentences(mode_settings, embedder, tmp_path):
    sentences = [f"In {2010 + i} the programme trained {100 + i * 7} officers in district {i}." for i in range(12)]
    path = write(tmp_path / "src" / "report.md", "# Report\n\n" + "\n\n".join(sentences) + "\n")
    Ingestor(mode_settings, embedder=embedder).ingest([path])

    sentences[5] = "In 2015 the programme trained 999 officers in district 5."
    write(path, "# Report\n\n" + "\n\n".join(sentences) + "\n")
    counting = CountingEmbedder(embedder)
    ingestor = Ingestor(mode_settings, embedder=counting)
    [result] = ingestor.ingest([path])
    assert result.status == "replaced"
    assert counting.seen == [sentences[5]]
    # The reused vectors are the right ones: every sentence still finds itself first.
    collection = ingestor.store.collection
    for s in (sentences[0], sentences[5], sentences[11]):
        hit = collection.query(query_embeddings=[embedder.get_query_embedding(s)], n_results=1,
                               include=["documents"])
        assert hit["documents"][0][0] == s
    assert collection.count() == 13
