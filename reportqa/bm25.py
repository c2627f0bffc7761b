"""The lexical index: one tokenizer for sentences and questions, and bm25s to score them."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[^\W\d_]+", re.UNICODE)

# Function words only: "how" and "many" are dropped by the question parser, not here,
# because in a sentence "many" can carry meaning.
STOPWORDS = frozenset(
    """a an the and or of to in on at for from by with as is are was were be been being this that these those
    it its their his her our your they he she we you i there here which who whom whose what when where why
    do does did has have had not no nor but if then than so such into over under about also any all each
    per via upon during within without between s t""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed tokens; numbers lose their thousands separators so 1,234 matches 1234."""
    return list(_tokens(text))


@lru_cache(maxsize=20_000)
def _tokens(text: str) -> tuple[str, ...]:
    # Answering tokenises the same retrieved sentences again and again; the cache is sized
    # for the sentences of recent questions (about 1 KB each), not for a whole corpus.
    words = []
    for tok in _TOKEN.findall(text.lower()):
        if tok[0].isdigit():
            words.append(tok.replace(",", ""))
        elif tok not in STOPWORDS:
            words.append(tok)
    stemmer = _stemmer()
    return tuple(w if w[0].isdigit() else stemmer.stemWord(w) for w in words)


class LexicalIndex:
    """A bm25s index over sentence ids, in a fixed order so that one document's sentences are contiguous."""

    def __init__(self, retriever, ids: list[str]):
        self.retriever = retriever
        self.ids = ids
        self.position = {node_id: i for i, node_id in enumerate(ids)}

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "LexicalIndex":
        """Tokenize and index sentence texts (ids in the same order)."""
        return cls.from_tokens(ids, [tokenize(t) for t in texts])

    @classmethod
    def from_tokens(cls, ids: list[str], corpus: list[list[str]]) -> "LexicalIndex":
        """Index already tokenized sentences, so a reader re-tokenizes only new documents."""
        import bm25s

        retriever = bm25s.BM25()
        # A sentence with no indexable token still needs a row, or positions shift.
        corpus = [tokens or ["∅"] for tokens in corpus]
        if corpus:
            retriever.index(corpus, show_progress=False)
        return cls(retriever, ids)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self.retriever.save(str(folder), show_progress=False)
        (folder / "ids.json").write_text(json.dumps(self.ids))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s

        ids = json.loads((folder / "ids.json").read_text())
        if not ids:
            return cls(bm25s.BM25(), [])
        return cls(bm25s.BM25.load(str(folder), show_progress=False), ids)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every sentence for the query (zeros when nothing matches)."""
        if not self.ids:
            return np.zeros(0, dtype=np.float32)
        vocab = self.retriever.vocab_dict
        known = [t for t in query_tokens if t in vocab]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self.retriever.get_scores(known)
