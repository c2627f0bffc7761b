"""Facts and the one score that ranks a table's cells against a stated sentence: no store, no model."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reportqa.models import Answer, Cell, Citation, Quantity, Sentence

from qa.candidates import Candidate
from qa.fact import Fact, asked_role, fact_of_candidate, fact_of_table_answer, fact_score, outranks


def _q(operation="figure", years_list=False):
    return SimpleNamespace(operation=operation, wants_years_list=years_list)


def _cell_fact(match, computed=False, value=1.0):
    return Fact(value=value, scale="", evidence="cell", match=match, computed=computed)


def _prose(match):
    return Fact(value=1.0, scale="", evidence="sentence", match=match)


# (case, question, table fact, prose fact or None, role, does the table win?)
CASES = [
    ("a plain figure: the table must say clearly more", _q(), _cell_fact(0.60), _prose(0.58), "figure", False),
    ("a plain figure: the table says clearly more", _q(), _cell_fact(0.70), _prose(0.58), "figure", True),
    ("exactly the margin more is enough", _q(), _cell_fact(0.36), _prose(0.30), "figure", True),
    ("no sentence: the table still needs the margin", _q(), _cell_fact(0.05), None, "figure", False),
    ("a computed change needs the margin over a stated change", _q("difference"), _cell_fact(0.60, True),
     _prose(0.58), "change", False),
    ("a computed average: neither kind preferred", _q("average"), _cell_fact(0.58, True), _prose(0.58), "pooling", True),
    ("a computed share: the better match wins", _q("ratio"), _cell_fact(0.57, True), _prose(0.58), "pooling", False),
    ("the years a table covers: neither kind preferred", _q(years_list=True), _cell_fact(0.5, value=[2019.0, 2020.0]),
     _prose(0.5), "years_list", True),
    ("a looked-up figure for an average question is a figure", _q("average"), _cell_fact(0.60), _prose(0.58), "figure",
     False),
]


@pytest.mark.parametrize("case,q,table,prose,role,wins", CASES, ids=[c[0] for c in CASES])
def test_the_evidence_kind_feature(case, q, table, prose, role, wins):
    assert asked_role(q, table) == role
    assert outranks(table, prose, role) is wins


def test_the_score_is_match_plus_the_kind_weight():
    assert fact_score(_prose(0.5), "figure") == 0.5
    assert fact_score(_cell_fact(0.5), "figure") == pytest.approx(0.44)
    assert fact_score(_cell_fact(0.5, True), "pooling") == 0.5
    assert fact_score(None, "figure") == 0.0


def test_a_candidate_and_a_table_answer_become_facts():
    s = Sentence(doc_id="d", index=3, start=0, end=30, text="Revenue rose by $12 million.")
    c = Candidate(quantity=Quantity(value=12, text="$12 million", start=16, end=27, scale="million", kind="money"),
                  sentence=s, rank=0, retrieval=1.0, is_change=True, match=0.7)
    f = fact_of_candidate(c)
    assert (f.value, f.scale, f.evidence, f.match, f.is_change, f.sentence) == (12, "million", "sentence", 0.7, True, s)
    cell = Cell(text="42", start=0, end=2, row=1, column=2, value=42.0, row_path=["Revenue"], column_path=["2019"])
    cited = Citation(doc_id="d", title="t", file="f", sentence_index=3, start=0, end=2, text="| Revenue | 42 |",
                     cell=cell)
    a = Answer(question="q", text="**42** [1]", value=42.0, scale="thousand", kind="figure", citations=[cited])
    t = fact_of_table_answer(a, 0.8)
    assert (t.value, t.scale, t.evidence, t.match, t.computed, t.cells) == (42.0, "thousand", "cell", 0.8, False, (cell,))
