"""Citations: a retrieved sentence turned into the record a reader can check, numbered in order of use."""

from __future__ import annotations

from reportqa.models import Citation, Sentence

from qa.reader import Snapshot


def cite(snap: Snapshot, sentence: Sentence, score: float = 0.0) -> Citation:
    """A citation with the sentence's paragraph as context, so it can be shown highlighted in place."""
    doc = snap.documents[sentence.doc_id]
    info = snap.info(sentence.doc_id)
    same_para = [s for s in snap.doc_sentences[sentence.doc_id] if s.paragraph == sentence.paragraph]
    lo = min(s.start for s in same_para) if same_para else sentence.start
    hi = max(s.end for s in same_para) if same_para else sentence.end
    # Long paragraphs (tables, run-on text) are trimmed around the sentence.
    lo = max(lo, sentence.start - 600)
    hi = min(hi, sentence.end + 600)
    return Citation(
        doc_id=sentence.doc_id,
        title=info.title,
        file=doc.source.rsplit("/", 1)[-1],
        page=sentence.page,
        sentence_index=sentence.index,
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        score=round(float(score), 4),
        context=doc.text[lo:hi],
        context_start=lo,
        table_header=sentence.table_header if sentence.kind == "table_row" else None,
    )


class Citer:
    """Numbers citations in the order they are first used."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        self.citations: list[Citation] = []
        self._index: dict[str, int] = {}

    def ref(self, s: Sentence, score: float = 0.0) -> int:
        """The 1-based number of the citation of `s`, added on first use."""
        if s.node_id not in self._index:
            self.citations.append(cite(self.snap, s, score))
            self._index[s.node_id] = len(self.citations)
        return self._index[s.node_id]
