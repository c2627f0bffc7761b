"""Sentence vectors already computed, so a sentence text is embedded once per ingest.

Reports repeat themselves: boilerplate and footnotes, table header rows, a revised edition
of a report that is mostly the previous one. Embedding is nearly all of ingestion's cost,
so a repeated text reuses its vector instead of running the model again.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

Encode = Callable[[list[str]], list[list[float]]]


def _key(text: str) -> bytes:
    # A digest, not the text: the cache outlives the documents whose sentences it saw.
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class VectorCache:
    """A bounded, least-recently-used map from sentence text to its vector (float32)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._vectors: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._vectors)

    def put(self, texts: Sequence[str], vectors: Sequence[Sequence[float]]) -> None:
        """Remember vectors computed elsewhere (e.g. read back from the store)."""
        if self.max_entries <= 0:
            return
        for text, vec in zip(texts, vectors):
            k = _key(text)
            self._vectors[k] = np.asarray(vec, dtype=np.float32)
            self._vectors.move_to_end(k)
        while len(self._vectors) > self.max_entries:
            self._vectors.popitem(last=False)

    def embed(self, texts: Sequence[str], encode: Encode) -> dict[str, list[float]]:
        """Vectors for distinct `texts`, running `encode` only on those not seen before."""
        found: dict[str, list[float]] = {}
        missing: list[str] = []
        for text in dict.fromkeys(texts):
            k = _key(text)
            vec = self._vectors.get(k)
            if vec is None:
                missing.append(text)
            else:
                self._vectors.move_to_end(k)
                found[text] = vec.tolist()
        self.hits += len(found)
        self.misses += len(missing)
        if missing:
            fresh = encode(missing)
            self.put(missing, fresh)
            found.update(zip(missing, fresh))
        return found
