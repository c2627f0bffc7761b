"""Hybrid retrieval: BM25 and dense (Chroma) rankings fused by reciprocal rank fusion.

No LLM is involved: the question is embedded by the local model and scored by BM25.
"""

from __future__ import annotations

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from reportqa.bm25 import tokenize
from reportqa.models import Sentence
from reportqa.settings import Settings

from qa.reader import Snapshot, StoreReader

# Words that say what kind of question it is, not what it is about.
QUESTION_WORDS = frozenset(tokenize("how many much what which when who whom whose why where did does do was were is are"))


class HybridRetriever(BaseRetriever):
    """Sentences for a question, optionally restricted to some documents."""

    def __init__(self, settings: Settings, reader: StoreReader, embedder, doc_ids: list[str] | None = None):
        super().__init__()
        self.settings = settings
        self.reader = reader
        self.embedder = embedder
        self.doc_ids = doc_ids

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        snap = self.reader.snapshot()
        fused = self.search(query_bundle.query_str, snap, self.doc_ids)
        return [
            NodeWithScore(node=TextNode(id_=s.node_id, text=s.text, metadata={"report_id": s.doc_id}), score=score)
            for s, score in fused
        ]

    def search(self, question: str, snap: Snapshot, doc_ids: list[str] | None = None,
               k: int | None = None) -> list[tuple[Sentence, float]]:
        """Fused ranking of visible sentences: [(sentence, rrf score)], best first."""
        k = k or self.settings.top_k
        n = self.settings.candidate_k
        lexical = self.lexical(question, snap, doc_ids, n)
        dense = self.dense(question, snap, doc_ids, n)
        rrf = self.settings.rrf_k
        scores: dict[str, float] = {}
        for ranking in (lexical, dense):
            for rank, node_id in enumerate(ranking):
                scores[node_id] = scores.get(node_id, 0.0) + 1.0 / (rrf + rank + 1)
        best = sorted(scores.items(), key=lambda kv: -kv[1])[:k]
        return [(snap.sentences[i], s) for i, s in best if i in snap.sentences]

    def lexical(self, question: str, snap: Snapshot, doc_ids: list[str] | None, n: int) -> list[str]:
        """The BM25 ranking: up to `n` visible sentence ids, best first."""
        tokens = [t for t in tokenize(question) if t not in QUESTION_WORDS]
        scores = snap.lexical.scores(tokens)
        if scores.size == 0:
            return []
        if doc_ids is not None:
            mask = np.zeros_like(scores, dtype=bool)
            for d in doc_ids:
                lo, hi = snap.doc_ranges.get(d, (0, 0))
                mask[lo:hi] = True
            scores = np.where(mask, scores, 0.0)
        top = np.argpartition(-scores, min(n, scores.size - 1))[:n] if scores.size > n else np.arange(scores.size)
        top = top[np.argsort(-scores[top])]
        ids = snap.lexical.ids
        return [ids[i] for i in top if scores[i] > 0 and ids[i] in snap.sentences]

    def dense(self, question: str, snap: Snapshot, doc_ids: list[str] | None, n: int) -> list[str]:
        """The embedding (Chroma) ranking: up to `n` visible sentence ids, best first."""
        if not snap.sentences:
            return []
        vector = self.embedder.get_query_embedding(question)
        where = None
        if doc_ids is not None:
            if not doc_ids:
                return []
            where = {"report_id": doc_ids[0]} if len(doc_ids) == 1 else {"report_id": {"$in": list(doc_ids)}}
        # Ask for a few more than needed: invisible (uncommitted or removed) vectors are dropped.
        res = self.reader.store.collection.query(
            query_embeddings=[vector], n_results=n + 10, where=where, include=["distances"]
        )
        return [i for i in res["ids"][0] if i in snap.sentences][:n]
