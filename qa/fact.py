"""A `Fact`: one piece of evidence for a figure question, whether a sentence states it or a
table's cells give it, and the one score that ranks the two kinds against each other.

Today's evidence has two shapes: prose figures are `Candidate`s (qa/candidates.py, ranked by
qa/ranking.py) and a table's answer is an `Answer` over cited `Cell`s (qa/table_ops.py). A Fact
is an adapter over both, so which kind answers is decided by one scorer with an evidence-kind
feature rather than by a margin inside a separate rule. The weights of that feature are data
(fact_weights.toml).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from reportqa.models import Answer, Cell, Sentence

from qa.candidates import Candidate
from qa.question import Question

Evidence = Literal["sentence", "cell"]

CHANGE_OPERATIONS = ("difference", "percent_change")
POOLING_OPERATIONS = ("average", "sum", "ratio")


@dataclass(frozen=True)
class Fact:
    """A figure and the evidence for it: a stated sentence or table cells."""

    value: float | list[float] | None
    scale: str
    evidence: Evidence
    match: float  # share of the question's weighted concepts the evidence names (0..1)
    is_change: bool = False  # the figure is itself a change ("rose by 12")
    computed: bool = False  # computed from several figures, not stated as one
    sentence: Sentence | None = None
    cells: tuple[Cell, ...] = field(default=())


def fact_of_candidate(c: Candidate) -> Fact:
    """A prose figure as a Fact (its match is the text ranker's)."""
    return Fact(value=c.value, scale=c.scale or c.quantity.scale, evidence="sentence", match=c.match,
                is_change=c.is_change, sentence=c.sentence)


def fact_of_table_answer(answer: Answer, match: float) -> Fact:
    """A table's answer as a Fact; `match` is what its cells' headers name of the question."""
    cells = tuple(c.cell for c in answer.citations if c.cell is not None)
    return Fact(value=answer.value, scale=answer.scale, evidence="cell", match=match,
                computed=answer.kind == "computed", cells=cells)


@lru_cache(maxsize=1)
def _weights() -> dict:
    return tomllib.loads(Path(__file__).with_name("fact_weights.toml").read_text(encoding="utf-8"))


def asked_role(q: Question, fact: Fact) -> str:
    """Which row of fact_weights.toml applies: what the question asks and what the fact is."""
    if q.wants_years_list and isinstance(fact.value, list):
        return "years_list"
    if fact.computed and q.operation in CHANGE_OPERATIONS:
        return "change"
    if fact.computed and q.operation in POOLING_OPERATIONS:
        return "pooling"
    return "figure"


def kind_weight(fact: Fact | None, role: str) -> float:
    """The evidence-kind feature's weight of `fact` for `role` (0 for no fact)."""
    return 0.0 if fact is None else _weights()["evidence_kind"][role].get(fact.evidence, 0.0)


def fact_score(fact: Fact | None, role: str) -> float:
    """The one score of a Fact: its match plus its evidence-kind weight (0 for no fact)."""
    return 0.0 if fact is None else fact.match + kind_weight(fact, role)


def outranks(a: Fact, b: Fact | None, role: str) -> bool:
    """Whether `a` scores at least as well as `b` (None: no rival). Written as match against
    match plus the weights' difference, so a tie is a tie in the data's own numbers."""
    b_match = b.match if b is not None else 0.0
    return a.match >= b_match + (kind_weight(b, role) if b is not None else 0.0) - kind_weight(a, role)
