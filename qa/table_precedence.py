"""Which evidence answers a figure question: a table cell or a stated sentence.

Both are scored on one scale, the share of the question's concepts (weighted by rarity, as
`qa.ranking` weighs them) that the evidence names. For a sentence that is the text ranker's
own match around its best figure; for a table answer it is what its cited cells' row and
column header paths name, with the table's caption and title as weaker context. Both become
`Fact`s (qa/fact.py) and the one score with its evidence-kind feature decides: the table's
answer is kept when its headers say clearly more of the question than the best sentence says.
"""

from __future__ import annotations

from reportqa.bm25 import tokenize
from reportqa.models import Answer, node_id

from qa.fact import Fact, asked_role, fact_of_candidate, fact_of_table_answer, outranks
from qa.question import Question
from qa.ranking import MIN_MATCH, concept_weights, concepts_in, gather, pick_figure, states_same_amount
from qa.reader import Snapshot

CONTEXT_WEIGHT = 0.5  # a concept only in the caption or title counts half, as context does for sentences


def table_match(q: Question, snap: Snapshot, answer: Answer, weights: dict[str, float]) -> float:
    """Share of the question's weighted concepts named by the headers of the answer's cells."""
    total = sum(weights.values())
    cells = [c for c in answer.citations if c.cell is not None]
    if not total or not cells:
        return 0.0
    own: set[str] = set()
    context: set[str] = set()
    for c in cells:
        own |= concepts_in(tokenize(" ".join(c.cell.row_path + c.cell.column_path)))
        sentence = snap.sentences.get(node_id(c.doc_id, c.sentence_index))
        context |= concepts_in(tokenize(" ".join(filter(None, [c.title, sentence.caption if sentence else None]))))
    got = sum(w if k in own else CONTEXT_WEIGHT * w if k in context else 0.0 for k, w in weights.items())
    return got / total


def stated_fact(q: Question, snap: Snapshot, hits, changes_only: bool = False) -> Fact | None:
    """The best figure a (non-table) sentence states, as a Fact, or None when none fits; with
    `changes_only`, the best figure that is itself a change ("rose by 12")."""
    prose = [(s, sc) for s, sc in hits if s.kind != "table_row"]
    if not prose:
        return None
    cands = gather(q, snap, prose)
    if changes_only:
        cands = [c for c in cands if c.is_change]
    best, _ = pick_figure(q, cands)
    return fact_of_candidate(best) if best is not None and best.match >= MIN_MATCH else None


def stated_match(q: Question, snap: Snapshot, hits, changes_only: bool = False) -> float:
    """The text ranker's match of the best stated figure (see `stated_fact`), 0 when none fits."""
    fact = stated_fact(q, snap, hits, changes_only)
    return fact.match if fact is not None else 0.0


def _weights(q: Question, snap: Snapshot, hits) -> dict[str, float]:
    docs = {s.doc_id for s, _ in hits}
    return concept_weights(q, snap, next(iter(docs)) if len(docs) == 1 else None)


def table_wins(q: Question, snap: Snapshot, hits, tabled: Answer | None) -> bool:
    """Whether the table's answer is better evidence than the best stated sentence: both as
    Facts, scored by the one `fact_score` (match plus the evidence-kind feature)."""
    if tabled is None:
        return False
    if tabled.kind == "not_found":
        return True  # the question names something no candidate document mentions
    table = fact_of_table_answer(tabled, table_match(q, snap, tabled, _weights(q, snap, hits)))
    role = asked_role(q, table)
    # A table that computes the asked change answers unless prose states the change itself:
    # a sentence's level figure ("revenue was $5.2 million") is an operand, not the answer.
    stated = stated_fact(q, snap, hits, changes_only=role == "change")
    return outranks(table, stated, role)


def debug_features(q: Question, snap: Snapshot, hits, tabled: Answer | None) -> dict:
    """The two matches the choice compares (for evaluation scripts)."""
    w = _weights(q, snap, hits)
    return {"cell_match": table_match(q, snap, tabled, w) if tabled is not None else None,
            "text_match": stated_match(q, snap, hits)}


def table_answer_if_better(q: Question, snap: Snapshot, hits, doc_ids: list[str] | None,
                           embedder=None) -> Answer | None:
    """The table's answer to a figure question when it is better evidence than any stated
    sentence (see `table_wins`); None lets the text path answer."""
    from qa.table_ops import table_answer

    tabled = table_answer(q, snap, hits, doc_ids, embedder)
    if not table_wins(q, snap, hits, tabled):
        return None
    if tabled is not None and _prose_states_it(q, snap, hits, tabled):
        return None
    return tabled


def _prose_states_it(q: Question, snap: Snapshot, hits, tabled: Answer) -> bool:
    """Whether the best stated sentence gives the table's figure at its own precision
    ("$18.5 million" for the table's 18,467 thousand): the report's text is how it states it."""
    if not isinstance(tabled.value, (int, float)) or isinstance(tabled.value, bool):
        return False
    prose = [(s, sc) for s, sc in hits if s.kind != "table_row"]
    if not prose:
        return False
    cands = gather(q, snap, prose)
    if tabled.kind == "computed" and q.operation in ("difference", "percent_change"):
        cands = [c for c in cands if c.is_change]  # a computed change is stated as a change
    best, _ = pick_figure(q, cands)
    if best is None or best.match < MIN_MATCH:
        return False
    # Any sentence that matches the question as well as the best one and states the amount
    # counts, not only the best scored: the best may be a neighbouring figure.
    return any(c.match >= best.match and states_same_amount(c, tabled.value, tabled.scale)
               for c in cands if c.year is None or not q.years or c.year in q.years)
