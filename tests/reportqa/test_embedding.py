"""The local embedding: normalised vectors, and thread counts that follow the kind of work."""

from __future__ import annotations

import threading

import numpy as np
import pydantic
import pytest
import torch

from reportqa.embedding import LocalEmbedding, use_threads
from reportqa.settings import Settings


def test_vectors_are_normalised_and_query_matches_document_mode(embedder):
    text = "Authorities rescued 358 victims in 2022."
    as_query = np.array(embedder.get_query_embedding(text))
    as_text = np.array(embedder.encode([text])[0])
    assert as_query.shape == (384,)
    assert abs(np.linalg.norm(as_query) - 1) < 1e-5
    # One thread or several: the same model gives the same vector (up to float rounding).
    assert np.allclose(as_query, as_text, atol=1e-5)


def test_question_uses_query_threads_and_ingestion_uses_embed_threads():
    settings = Settings(query_threads=1, embed_threads=2)
    emb = LocalEmbedding.from_settings(settings)
    emb.get_query_embedding("How many victims were rescued?")
    assert torch.get_num_threads() == 1
    emb.encode(["one sentence", "another sentence"])
    assert torch.get_num_threads() == 2


def test_thread_count_is_per_calling_thread():
    use_threads(2)
    seen = {}

    def worker():
        use_threads(1)
        seen["worker"] = torch.get_num_threads()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen["worker"] == 1
    assert torch.get_num_threads() == 2  # the worker's setting did not leak into this thread


def test_thread_settings_are_validated():
    with pytest.raises(pydantic.ValidationError):
        Settings(query_threads=0)
    with pytest.raises(pydantic.ValidationError):
        Settings(embed_threads=-1)


def test_question_texts_are_embedded_in_one_call_and_remembered(embedder, monkeypatch):
    calls: list[list[str]] = []
    real = LocalEmbedding.encode

    def counting(self, texts, threads=None):
        calls.append(list(texts))
        return real(self, texts, threads=threads)

    monkeypatch.setattr(LocalEmbedding, "encode", counting)
    question, phrase = "How many arrests were made in the north in 2031?", "arrests north"
    vecs = embedder.query_vectors([question, phrase])
    assert calls == [[question, phrase]]
    # Retrieval then finds the question's vector without running the model again.
    again = embedder.get_query_embedding(question)
    assert calls == [[question, phrase]]
    assert np.allclose(again, vecs[0]) and np.allclose(vecs[0], real(embedder, [question])[0], atol=1e-5)


def test_packed_vectors_keep_their_cosine():
    from reportqa.vector_codec import pack_vector, unpack_vector

    rng = np.random.default_rng(0)
    a, b = (v / np.linalg.norm(v) for v in rng.normal(size=(2, 384)))
    packed = pack_vector(a)
    assert isinstance(packed, str) and len(packed) < 1100
    assert abs(float(unpack_vector(packed) @ b) - float(a @ b)) < 2e-3
