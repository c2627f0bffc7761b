"""The embedding model, loaded once per process from local files."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from reportqa import offline
from reportqa.settings import Settings

_LOCK = threading.Lock()
_CACHE: dict[tuple[str, int], Any] = {}
_DEFAULT_THREADS: int | None = None
_MEMO_TEXTS = 512  # question texts whose vectors are kept (a chat's recent turns, a batch's phrases)


def load_sentence_transformer(path: str, max_seq_length: int):
    """Load (once per process) a sentence-transformers model from a local folder."""
    key = (path, max_seq_length)
    with _LOCK:
        if key not in _CACHE:
            offline.apply()  # a library caller may not have gone through an entry point
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(path, device="cpu", local_files_only=True)
            model.max_seq_length = max_seq_length
            _CACHE[key] = model
        return _CACHE[key]


def use_threads(n: int) -> None:
    """Set torch's intra-op threads for the calling thread (0: one per core).

    OpenMP keeps the count per thread, so a web worker embedding questions with one thread
    and an ingestion embedding batches with all cores do not undo each other. Measured on
    2 cores beside another busy process: a question took ~480 ms with 2 threads (each
    parallel step waits for a descheduled partner) and ~10 ms with 1.
    """
    import torch

    global _DEFAULT_THREADS
    if _DEFAULT_THREADS is None:
        _DEFAULT_THREADS = torch.get_num_threads()  # torch's own choice: one per physical core
    want = n or _DEFAULT_THREADS
    if torch.get_num_threads() != want:
        torch.set_num_threads(want)


class LocalEmbedding(BaseEmbedding):
    """llama-index embedding over a local sentence-transformers model.

    Vectors are L2-normalised so cosine distance and dot product agree.
    """

    model_path: str
    max_seq_length: int = 128
    embed_threads: int = 0
    query_threads: int = 1
    _model: Any = PrivateAttr()
    _memo: Any = PrivateAttr()
    _memo_lock: Any = PrivateAttr()

    def __init__(self, model_path: str, max_seq_length: int = 128, embed_batch_size: int = 16,
                 embed_threads: int = 0, query_threads: int = 1, **kw):
        super().__init__(
            model_name=model_path,
            model_path=model_path,
            max_seq_length=max_seq_length,
            embed_batch_size=embed_batch_size,
            embed_threads=embed_threads,
            query_threads=query_threads,
            **kw,
        )
        self._model = load_sentence_transformer(model_path, max_seq_length)
        self._memo = OrderedDict()
        self._memo_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "LocalEmbedding":
        return cls(settings.model_path(), settings.embed_max_seq_length, settings.embed_batch_size,
                   settings.embed_threads, settings.query_threads)

    def encode(self, texts: list[str], threads: int | None = None) -> list[list[float]]:
        """Embed many texts; sentence-transformers sorts by length so batches pad little."""
        if not texts:
            return []
        use_threads(self.embed_threads if threads is None else threads)
        vecs = self._model.encode(
            texts, batch_size=self.embed_batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vecs.tolist()

    def query_vectors(self, texts: list[str]) -> list[list[float]]:
        """Embed a question's short texts (the question, the phrase naming its target) in one
        call with the query threads, remembering the last few hundred.

        One call for two texts costs ~24 ms here against ~32 ms for two calls, and the
        phrase is then ready for every candidate table the question meets.
        """
        with self._memo_lock:
            found = {t: self._memo[t] for t in texts if t in self._memo}
            for t in found:
                self._memo.move_to_end(t)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.encode(missing, threads=self.query_threads)))
            with self._memo_lock:
                for t in missing:
                    self._memo[t] = found[t]
                while len(self._memo) > _MEMO_TEXTS:
                    self._memo.popitem(last=False)
        return [found[t] for t in texts]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.query_vectors([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.encode([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts)
